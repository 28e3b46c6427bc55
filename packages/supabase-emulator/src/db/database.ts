// The emulator's view of Postgres: one interface over embedded PGlite and a Postgres server, so
// Auth, PostgREST and Realtime never care which one runs underneath.
import type { JwtClaims } from '../auth/jwt.js'

export { DatabaseError, isDatabaseError } from './database-error.js'
export type { PostgresErrorFields } from './database-error.js'

/** Rows and column names of one statement. */
export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[]
  /** Column names and Postgres type OIDs, in select order. */
  fields: { name: string; dataTypeID: number }[]
  /** Rows affected by INSERT/UPDATE/DELETE, when the driver reports it. */
  affectedRows?: number
}

/** Something that runs parameterised SQL (`$1`, `$2`…). */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>
}

/** The database role a request runs as, and the JWT claims PostgREST would expose to it. */
export interface RequestAuth {
  role: 'anon' | 'authenticated' | 'service_role'
  /** Claims of the verified JWT (also for the anon key); set as `request.jwt.claims`. */
  claims: JwtClaims
}

/**
 * Contract:
 * - `query` runs as the superuser outside any request transaction. One statement per call
 *   (extended protocol, `$n` parameters).
 * - `exec` runs a multi-statement SQL script (simple protocol, no parameters) as the superuser,
 *   as one implicit transaction unless the script has its own `begin`/`commit`. Used for the
 *   bootstrap, migrations and seed files.
 * - `withRole` runs `fn` inside ONE transaction with `SET LOCAL ROLE <auth.role>` and
 *   `request.jwt.claims` (plus `request.jwt.claim.sub` / `.role`) set locally, exactly as
 *   PostgREST does per request; it commits when `fn` resolves and rolls back when it throws
 *   (the error is rethrown unchanged, with Postgres' `code`, `message`, `detail`, `hint`).
 *   `rollback: true` always rolls back (used to evaluate RLS without side effects).
 *   It also sets `search_path` to `public, extensions` (PostgREST's `db-extra-search-path` on
 *   Supabase). A role outside the three API roles is refused with SQLSTATE `42501`.
 *   On PGlite, transactions are serialised; on a server they run concurrently.
 *   Inside `fn`, use only `tx`: calling `db.query` there waits for the transaction on PGlite
 *   and so deadlocks.
 * - Errors raised by Postgres reject as {@link DatabaseError} (`code` = SQLSTATE, `message`,
 *   `detail`, `hint`), whichever driver runs underneath; `isDatabaseError` tells them apart.
 * - Row values are parsed the same way on both drivers: `int8` → `number` (seqs stay far below
 *   2^53), `numeric` → `string`, `bytea` → `Uint8Array` (a `Buffer` on a server), `json`/`jsonb`
 *   → parsed value, `timestamptz` → `Date`, `uuid`/`text` → `string`, arrays → JS arrays. For
 *   JSON responses prefer building JSON in SQL (`to_json`, `json_agg`) so no driver parsing is
 *   involved. Pass `jsonb` parameters as `JSON.stringify(value)` strings (a JS array would be
 *   sent as a Postgres array literal by node-postgres).
 * - `listen` subscribes to NOTIFY on a channel; the returned function unsubscribes. Payloads
 *   arrive after the sending transaction commits, in commit order.
 * - `close` is idempotent; calls after it reject.
 */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  exec(sql: string): Promise<void>
  withRole<T>(
    auth: RequestAuth,
    fn: (tx: Queryable) => Promise<T>,
    options?: { rollback?: boolean },
  ): Promise<T>
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
