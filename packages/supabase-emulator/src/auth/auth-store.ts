// Users, sessions and refresh tokens in Supabase's own tables (`auth.users`, `auth.sessions`,
// `auth.refresh_tokens`), so SQL in migrations and RLS policies sees the same rows as on Supabase.
// Every statement is single and self-contained: on a pooled Postgres server two statements of
// one caller may land on different connections, and rotation must still be atomic.
import { randomUUID } from 'node:crypto'
import type { Queryable } from '../db/database.js'
import { AuthError } from './auth-error.js'
import { parseUser, USER_JSON, type AuthUser, type StoredUser } from './user-row.js'

/** What a sign-in or refresh hands to the token issuer. */
export interface IssuedSession {
  sessionId: string
  refreshToken: string
}

/** New-user fields. */
export interface NewUser {
  /** Lower-cased address; absent for anonymous users. */
  email?: string
  passwordHash?: string
  isAnonymous: boolean
  /** Whether the address counts as confirmed from the start (confirmations off). */
  confirmed: boolean
  userMetadata: Record<string, unknown>
}

/** Postgres access for GoTrue's tables; runs as the superuser. */
export class AuthStore {
  constructor(private readonly db: Queryable) {}

  /** Inserts a user; a taken email → `user_already_exists` (422). */
  async createUser(fields: NewUser): Promise<AuthUser> {
    const appMetadata = fields.isAnonymous ? {} : { provider: 'email', providers: ['email'] }
    try {
      const result = await this.db.query<{ user_json: string }>(
        `with u as (
           insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
             raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
           values ($1::text::uuid, 'authenticated', 'authenticated', $2::text, $3::text,
             case when $2::text is not null and $7::text::boolean then now() end,
             $4::text::jsonb, $5::text::jsonb, now(), now(), $6::text::boolean)
           returning *)
         select ${USER_JSON} from u`,
        [
          randomUUID(),
          fields.email ?? null,
          fields.passwordHash ?? null,
          JSON.stringify(appMetadata),
          JSON.stringify(fields.userMetadata),
          String(fields.isAnonymous),
          String(fields.confirmed),
        ],
      )
      return parseUser(result.rows[0]?.user_json).user
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthError('user_already_exists', 422, 'User already registered')
      }
      throw error
    }
  }

  /** The user with this email (case-insensitive), or undefined. */
  async findUserByEmail(email: string): Promise<StoredUser | undefined> {
    const result = await this.db.query<{ user_json: string }>(
      `select ${USER_JSON} from auth.users u where lower(u.email) = lower($1::text) limit 1`,
      [email],
    )
    const row = result.rows[0]
    return row ? parseUser(row.user_json) : undefined
  }

  /** Marks a user's address as confirmed (a no-op when it already is); returns the user. */
  async confirmUser(id: string): Promise<AuthUser> {
    const result = await this.db.query<{ user_json: string }>(
      `with u as (
         update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()),
           updated_at = now()
         where id::text = $1::text returning *)
       select ${USER_JSON} from u`,
      [id],
    )
    const row = result.rows[0]
    if (!row) throw new AuthError('user_not_found', 404, 'User not found')
    return parseUser(row.user_json).user
  }

  /** The user with this id (and its password hash), or undefined. */
  async findUserById(id: string): Promise<StoredUser | undefined> {
    const result = await this.db.query<{ user_json: string }>(
      `select ${USER_JSON} from auth.users u where u.id::text = $1::text`,
      [id],
    )
    const row = result.rows[0]
    return row ? parseUser(row.user_json) : undefined
  }

  /** Starts a session for a user and records the sign-in time; returns the user as updated. */
  async startSession(userId: string): Promise<{ session: IssuedSession; user: AuthUser }> {
    const sessionId = randomUUID()
    const refreshToken = newRefreshToken()
    const result = await this.db.query<{ user_json: string }>(
      `with s as (
         insert into auth.sessions (id, user_id, created_at, updated_at)
         values ($1::text::uuid, $2::text::uuid, now(), now()) returning id, user_id),
       t as (
         insert into auth.refresh_tokens (token, user_id, session_id, revoked, created_at, updated_at)
         select $3::text, s.user_id::text, s.id, false, now(), now() from s returning id),
       u as (
         update auth.users set last_sign_in_at = now(), updated_at = now()
         where id = $2::text::uuid returning *)
       select ${USER_JSON} from u, t`,
      [sessionId, userId, refreshToken],
    )
    const row = result.rows[0]
    if (!row) throw new AuthError('user_not_found', 404, 'User not found')
    return { session: { sessionId, refreshToken }, user: parseUser(row.user_json).user }
  }

  /**
   * Rotates a refresh token: revokes it and issues its child in one statement. A token revoked
   * less than `reuseIntervalSeconds` ago yields the session's current token (a client racing
   * itself); an older reuse revokes the whole session, as GoTrue's reuse detection does.
   */
  async rotateRefreshToken(
    token: string,
    reuseIntervalSeconds: number,
  ): Promise<IssuedSession & { userId: string }> {
    const fresh = newRefreshToken()
    const rotated = await this.db.query<{ user_id: string; session_id: string }>(
      `with old as (
         update auth.refresh_tokens set revoked = true, updated_at = now()
         where token = $1::text and not revoked
         returning user_id, session_id, token),
       s as (
         update auth.sessions set updated_at = now()
         where id in (select session_id from old) returning id)
       insert into auth.refresh_tokens (token, user_id, session_id, parent, revoked, created_at,
         updated_at)
       select $2::text, old.user_id, old.session_id, old.token, false, now(), now()
       from old join s on s.id = old.session_id
       returning user_id, session_id::text as session_id`,
      [token, fresh],
    )
    const row = rotated.rows[0]
    if (row) return { userId: row.user_id, sessionId: row.session_id, refreshToken: fresh }

    const previous = await this.db.query<{
      user_id: string
      session_id: string
      recent: boolean
      current: string | null
    }>(
      `select t.user_id, t.session_id::text as session_id,
         t.updated_at > now() - make_interval(secs => $2::text::float8) as recent,
         (select c.token from auth.refresh_tokens c
          where c.session_id = t.session_id and not c.revoked order by c.id desc limit 1) as current
       from auth.refresh_tokens t where t.token = $1::text`,
      [token, String(reuseIntervalSeconds)],
    )
    const old = previous.rows[0]
    if (!old) {
      throw new AuthError(
        'refresh_token_not_found',
        400,
        'Invalid Refresh Token: Refresh Token Not Found',
      )
    }
    if (old.recent && old.current) {
      return { userId: old.user_id, sessionId: old.session_id, refreshToken: old.current }
    }
    await this.db.query(`delete from auth.sessions where id = $1::text::uuid`, [old.session_id])
    throw new AuthError('refresh_token_already_used', 400, 'Invalid Refresh Token: Already Used')
  }

  /**
   * Changes a user's email, password or metadata (merged into the old metadata). A new email is
   * confirmed at once, as GoTrue does with autoconfirm (the emulator sends no e-mail-change
   * mails); an address another user has → `email_exists` (422).
   */
  async updateUser(
    id: string,
    fields: { email?: string; passwordHash?: string; userMetadata?: Record<string, unknown> },
  ): Promise<AuthUser> {
    try {
      const result = await this.db.query<{ user_json: string }>(
        `with u as (
           update auth.users set
             email = coalesce($2::text, email),
             email_confirmed_at = case when $2::text is null then email_confirmed_at else now() end,
             encrypted_password = coalesce($3::text, encrypted_password),
             raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb)
               || coalesce($4::text::jsonb, '{}'::jsonb),
             is_anonymous = case when $2::text is null then is_anonymous else false end,
             raw_app_meta_data = case when $2::text is null then raw_app_meta_data
               else coalesce(raw_app_meta_data, '{}'::jsonb)
                 || '{"provider":"email","providers":["email"]}'::jsonb end,
             updated_at = now()
           where id::text = $1::text returning *)
         select ${USER_JSON} from u`,
        [
          id,
          fields.email ?? null,
          fields.passwordHash ?? null,
          fields.userMetadata ? JSON.stringify(fields.userMetadata) : null,
        ],
      )
      const row = result.rows[0]
      if (!row) throw new AuthError('user_not_found', 404, 'User not found')
      return parseUser(row.user_json).user
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthError(
          'email_exists',
          422,
          'A user with this email address has already been registered',
        )
      }
      throw error
    }
  }

  /** Whether a session still exists (it is deleted on sign-out). */
  async sessionExists(sessionId: string): Promise<boolean> {
    const result = await this.db.query(`select 1 from auth.sessions where id::text = $1::text`, [
      sessionId,
    ])
    return result.rows.length > 0
  }

  /** Ends sessions: `global` all of the user's, `local` this one, `others` all but this one. */
  async endSessions(
    userId: string,
    sessionId: string | undefined,
    scope: 'global' | 'local' | 'others',
  ): Promise<void> {
    const current = sessionId ?? ''
    const condition =
      scope === 'global'
        ? 'user_id::text = $1::text'
        : scope === 'local'
          ? 'user_id::text = $1::text and id::text = $2::text'
          : 'user_id::text = $1::text and id::text <> $2::text'
    await this.db.query(`delete from auth.sessions where ${condition} and $2::text is not null`, [
      userId,
      current,
    ])
  }
}

const REFRESH_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** A 12-character `[a-z0-9]` token, GoTrue's legacy refresh-token form that auth-js accepts. */
function newRefreshToken(): string {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  let token = ''
  for (const byte of bytes) token += REFRESH_ALPHABET[byte % REFRESH_ALPHABET.length]
  return token
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  )
}
