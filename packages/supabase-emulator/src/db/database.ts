// The emulator's view of Postgres: one interface over embedded PGlite and a Postgres server, so
// Auth, PostgREST and Realtime never care which one runs underneath.
import type { JwtClaims } from '../auth/jwt.js'

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
 * - `query` runs as the superuser outside any request transaction.
 * - `withRole` runs `fn` inside ONE transaction with `SET LOCAL ROLE <auth.role>` and
 *   `request.jwt.claims` (plus `request.jwt.claim.sub` / `.role`) set locally, exactly as
 *   PostgREST does per request; it commits when `fn` resolves and rolls back when it throws
 *   (the error is rethrown unchanged, with Postgres' `code`, `message`, `detail`, `hint`).
 *   `rollback: true` always rolls back (used to evaluate RLS without side effects).
 *   On PGlite, transactions are serialised; on a server they run concurrently.
 * - `listen` subscribes to NOTIFY on a channel; the returned function unsubscribes.
 * - `close` is idempotent; calls after it reject.
 */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  withRole<T>(
    auth: RequestAuth,
    fn: (tx: Queryable) => Promise<T>,
    options?: { rollback?: boolean },
  ): Promise<T>
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
