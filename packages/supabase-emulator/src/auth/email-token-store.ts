// The one-time tokens of e-mail flows, kept where GoTrue keeps them (SUPABASE-PROTOCOL-2 §3.3):
// sign-up confirmations in `auth.users.confirmation_token`, magic links (and recovery) in
// `recovery_token`, each with its `…_sent_at`, which is both the send-rate limit and the expiry
// clock. Only the token hash is stored. Time is Postgres' `now()` throughout, so a test can age a
// token with one `update` instead of waiting. Each operation is one statement, so two racing
// verifications cannot both consume a token.
import type { Queryable } from '../db/database.js'
import { parseUser, USER_JSON, type AuthUser } from './user-row.js'

/** Which token column: `confirmation` (sign-up) or `recovery` (magic link, recovery). */
export type EmailTokenKind = 'confirmation' | 'recovery'

const COLUMNS: Record<EmailTokenKind, { token: string; sentAt: string }> = {
  confirmation: { token: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  recovery: { token: 'recovery_token', sentAt: 'recovery_sent_at' },
}

/** The outcome of {@link EmailTokenStore.issue}: the user as updated, or how long to wait. */
export type IssueResult =
  { issued: true; user: AuthUser } | { issued: false; retryAfterSeconds: number }

/** What {@link EmailTokenStore.consume} looks for. */
export interface TokenMatch {
  tokenHash: string
  /** When given, the token must also belong to this (lower-cased) address. */
  email?: string
}

/** Postgres access for e-mail one-time tokens; runs as the superuser. */
export class EmailTokenStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores `tokenHash` as the user's token of `kind`, replacing any previous one, unless the
   * previous one was sent less than `maxFrequencyMs` ago; then nothing changes and the answer
   * says how many seconds to wait (GoTrue's `max_frequency`).
   */
  async issue(
    userId: string,
    kind: EmailTokenKind,
    tokenHash: string,
    maxFrequencyMs: number,
  ): Promise<IssueResult> {
    const { token, sentAt } = COLUMNS[kind]
    const seconds = String(maxFrequencyMs / 1000)
    // The subquery on auth.users sees the row as it was before the update: the previous send.
    const result = await this.db.query<{ user_json: string | null; wait: number | string | null }>(
      `with u as (
         update auth.users set ${token} = $2::text, ${sentAt} = now(), updated_at = now()
         where id::text = $1::text
           and (${sentAt} is null or ${sentAt} <= now() - make_interval(secs => $3::text::float8))
         returning *)
       select (select ${USER_JSON} from u) as user_json,
         (select ceil(extract(epoch from
             ${sentAt} + make_interval(secs => $3::text::float8) - now()))
          from auth.users where id::text = $1::text) as wait`,
      [userId, tokenHash, seconds],
    )
    const row = result.rows[0]
    if (row?.user_json) return { issued: true, user: parseUser(row.user_json).user }
    return { issued: false, retryAfterSeconds: Math.max(1, Number(row?.wait ?? 1)) }
  }

  /**
   * Consumes a token of `kind` that matches and is younger than `expirySeconds`: clears it,
   * confirms the user's address and returns the user. Undefined when nothing matches (wrong,
   * used or expired token alike, as GoTrue does not tell them apart).
   */
  async consume(
    kind: EmailTokenKind,
    match: TokenMatch,
    expirySeconds: number,
  ): Promise<AuthUser | undefined> {
    const { token, sentAt } = COLUMNS[kind]
    const result = await this.db.query<{ user_json: string }>(
      `with u as (
         update auth.users set ${token} = '',
           email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now()
         where ${token} = $1::text and ${token} <> ''
           and ${sentAt} > now() - make_interval(secs => $2::text::float8)
           and ($3::text is null or lower(email) = $3::text)
         returning *)
       select ${USER_JSON} from u limit 1`,
      [match.tokenHash, String(expirySeconds), match.email ?? null],
    )
    const row = result.rows[0]
    return row ? parseUser(row.user_json).user : undefined
  }
}
