// Turns a verified token into the database role a request runs as, the step PostgREST and the
// Realtime REST API share.
import type { RequestAuth } from '../db/database.js'
import { JwtError, verifyJwt } from './jwt.js'

const API_ROLES: ReadonlySet<string> = new Set(['anon', 'authenticated', 'service_role'])

/**
 * Verifies `token` (HS256 over `jwtSecret`) and maps its `role` claim to an API role. Throws
 * {@link JwtError} for a bad token, and `JwtError('missing_claims')` for a role other than
 * `anon`, `authenticated` or `service_role` (the emulator never runs requests as another role).
 */
export function authenticate(token: string, jwtSecret: string, nowSeconds?: number): RequestAuth {
  const claims = verifyJwt(token, jwtSecret, nowSeconds)
  if (!API_ROLES.has(claims.role)) {
    throw new JwtError('missing_claims', `role "${claims.role}" is not an API role`)
  }
  return { role: claims.role as RequestAuth['role'], claims }
}
