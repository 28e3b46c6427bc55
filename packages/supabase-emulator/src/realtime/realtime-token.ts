// Token checks as Realtime performs them: at connect (the `apikey` query param) and for every
// channel (`access_token` in `phx_join` and in refresh pushes). SUPABASE-PROTOCOL.md §1.5, §1.6.
import { isJwtError, verifyJwt, type JwtClaims } from '../auth/jwt.js'
import type { RequestAuth } from '../db/database.js'

/** Outcome of checking one token. `code` is Realtime's error code used in join reasons. */
export type TokenCheck =
  | { ok: true; claims: JwtClaims }
  | {
      ok: false
      code: 'InvalidJWTToken' | 'MalformedJWT' | 'JwtSignatureError'
      /** The message Realtime shows after `Code: ` (join) or alone (system message). */
      message: string
      /** The shorter message of a refused WebSocket upgrade (§1.5). */
      connectMessage: string
    }

/**
 * Verifies a token the way Realtime does: HS256 over the project secret, `role` and `exp`
 * required, `exp` in the future. `nowMs` is the emulator clock.
 */
export function checkRealtimeToken(token: string, secret: string, nowMs: number): TokenCheck {
  const nowSeconds = Math.floor(nowMs / 1000)
  try {
    return { ok: true, claims: verifyJwt(token, secret, nowSeconds) }
  } catch (error) {
    if (!isJwtError(error)) throw error
    switch (error.code) {
      case 'expired': {
        const exp = readExp(token)
        const ago = exp === undefined ? 0 : Math.max(0, nowSeconds - exp)
        return {
          ok: false,
          code: 'InvalidJWTToken',
          message: `Token has expired ${ago} seconds ago`,
          connectMessage: 'Token has expired',
        }
      }
      case 'missing_claims': {
        const message = 'Fields `role` and `exp` are required in JWT'
        return { ok: false, code: 'InvalidJWTToken', message, connectMessage: message }
      }
      case 'bad_signature': {
        const message = 'Failed to validate JWT signature'
        return { ok: false, code: 'JwtSignatureError', message, connectMessage: message }
      }
      case 'malformed': {
        const message = 'The token provided is not a valid JWT'
        return { ok: false, code: 'MalformedJWT', message, connectMessage: message }
      }
    }
  }
}

/** The `exp` claim of an already signature-checked token, for the "expired N seconds ago" text. */
function readExp(token: string): number | undefined {
  const body = token.split('.')[1]
  if (body === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
    if (typeof claims === 'object' && claims !== null && 'exp' in claims) {
      return typeof claims.exp === 'number' ? claims.exp : undefined
    }
  } catch {
    // Unreachable after verifyJwt succeeded in parsing it; a bad body just means "0 seconds".
    return undefined
  }
  return undefined
}

const DB_ROLES: ReadonlySet<string> = new Set(['anon', 'authenticated', 'service_role'])

/**
 * The database role and claims RLS sees for a Realtime token, or `null` when the token's role is
 * not one PostgREST would switch to (such a client can still use public channels).
 */
export function toRequestAuth(claims: JwtClaims): RequestAuth | null {
  if (!DB_ROLES.has(claims.role)) return null
  return { role: claims.role as RequestAuth['role'], claims }
}

/** True for Supabase's opaque `sb_publishable_…` / `sb_secret_…` keys, which are not JWTs. */
export function isOpaqueApiKey(token: string): boolean {
  return token.startsWith('sb_')
}
