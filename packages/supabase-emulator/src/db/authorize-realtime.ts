// Private-channel authorization as Supabase Realtime performs it (SUPABASE-PROTOCOL.md §1.9):
// RLS policies on realtime.messages decide, evaluated in a transaction that is always rolled
// back, as the channel's role with its claims and `realtime.topic` set.
import { randomUUID } from 'node:crypto'
import type { Database, RequestAuth } from './database.js'
import { isDatabaseError } from './database-error.js'

/** One check: may `auth` read (SELECT policy) or write (INSERT policy) `extension` on `topic`? */
export interface RealtimeAuthorizationRequest {
  auth: RequestAuth
  /** The sub-topic, without the `realtime:` prefix (what `realtime.topic()` returns). */
  topic: string
  extension: 'broadcast' | 'presence'
  write: boolean
}

/** Options of {@link authorizeRealtime}. */
export interface AuthorizeRealtimeOptions {
  /**
   * Receives errors a policy raised; Realtime treats them as "unauthorized" (RlsPolicyError) and
   * so does this function. Default: ignored.
   */
  onPolicyError?: (error: unknown) => void
}

/**
 * Evaluates the Realtime RLS policies for one extension of one topic. Read: a probe row is
 * inserted as the superuser, then selected as the request role; visible = allowed. Write: the
 * row is inserted as the request role; success = allowed, `42501` = denied. Nothing is kept
 * (rolled back; no NOTIFY escapes). Any other error counts as denied and goes to
 * `onPolicyError`. `service_role` bypasses RLS and is always allowed, like on Supabase.
 */
export async function authorizeRealtime(
  db: Database,
  request: RealtimeAuthorizationRequest,
  options: AuthorizeRealtimeOptions = {},
): Promise<boolean> {
  const { auth, topic, extension, write } = request
  try {
    return await db.withRole(
      auth,
      async (tx) => {
        await tx.query(`select set_config('realtime.topic', $1, true)`, [topic])
        if (write) {
          try {
            await tx.query(
              `insert into realtime.messages (topic, extension, private, event, payload)
               values ($1, $2, true, 'authorization_check', '{}'::jsonb)`,
              [topic, extension],
            )
            return true
          } catch (error) {
            if (isDatabaseError(error) && error.code === '42501') return false
            throw error
          }
        }
        const id = randomUUID()
        // The probe is written with the session's own (superuser) rights, then read back under
        // the request role, which `set_config('role', …)` restores.
        await tx.query(`set local role none`)
        await tx.query(
          `insert into realtime.messages (id, topic, extension, private, event)
           values ($1, $2, $3, true, 'authorization_check')`,
          [id, topic, extension],
        )
        await tx.query(`select set_config('role', $1, true)`, [auth.role])
        const seen = await tx.query(`select id from realtime.messages where id = $1`, [id])
        return seen.rows.length > 0
      },
      { rollback: true },
    )
  } catch (error) {
    options.onPolicyError?.(error)
    return false
  }
}
