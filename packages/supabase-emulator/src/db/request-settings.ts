// The per-request prelude PostgREST runs as the first statement of every transaction, shared by
// both drivers so PGlite and a server see identical settings.
import type { RequestAuth } from './database.js'
import { DatabaseError } from './database-error.js'

const API_ROLES: ReadonlySet<string> = new Set(['anon', 'authenticated', 'service_role'])

/**
 * The statement and parameters that switch a transaction to the request's role and claims.
 * Everything is `set_config(…, true)`, i.e. transaction-local, so nothing leaks to the next
 * request on a pooled connection. Throws {@link DatabaseError} `42501` for a role other than
 * `anon`, `authenticated` or `service_role`: a JWT claiming `postgres` must not get the superuser.
 */
export function requestSettings(auth: RequestAuth): { sql: string; params: unknown[] } {
  // The union type is not enough: claims come from outside and are cast by callers.
  if (!API_ROLES.has(auth.role)) {
    throw new DatabaseError({
      code: '42501',
      message: `permission denied to set role "${auth.role}"`,
    })
  }
  const claims = { ...auth.claims, role: auth.role }
  const sub = typeof claims.sub === 'string' ? claims.sub : ''
  return {
    sql: `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
      set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true),
      set_config('search_path', 'public, extensions', true)`,
    params: [auth.role, JSON.stringify(claims), sub],
  }
}
