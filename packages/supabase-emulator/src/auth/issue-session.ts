// The session answer of `/signup` and `/token` (SUPABASE-PROTOCOL §3.3) and the access-token
// claims GoTrue signs (§3.4).
import { signJwt, type JwtClaims } from './jwt.js'
import type { IssuedSession } from './auth-store.js'
import type { AuthUser } from './user-row.js'

/** What `/signup` and `/token` return. */
export interface SessionResponse {
  access_token: string
  token_type: 'bearer'
  expires_in: number
  expires_at: number
  refresh_token: string
  user: AuthUser
}

/** Settings for signing access tokens. */
export interface TokenSettings {
  jwtSecret: string
  /** Access-token lifetime in seconds. */
  jwtExpirySeconds: number
  /** The `iss` claim: `<api url>/auth/v1`. */
  issuer: string
}

/**
 * How the session was started, for the `amr` claim. GoTrue keeps it per session; the emulator
 * does not store it, so a refreshed token says `password` (or `anonymous`) even for a session
 * that began with an OTP.
 */
export type AuthMethod = 'anonymous' | 'password' | 'otp'

/** Signs an access token for a user's session and wraps it in GoTrue's session answer. */
export function issueSession(
  user: AuthUser,
  session: IssuedSession,
  settings: TokenSettings,
  method: AuthMethod = user.is_anonymous ? 'anonymous' : 'password',
  nowSeconds = Math.floor(Date.now() / 1000),
): SessionResponse {
  const exp = nowSeconds + settings.jwtExpirySeconds
  const claims: JwtClaims = {
    aud: 'authenticated',
    exp,
    iat: nowSeconds,
    iss: settings.issuer,
    sub: user.id,
    email: user.email,
    phone: user.phone,
    app_metadata: user.app_metadata,
    user_metadata: user.user_metadata,
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method, timestamp: nowSeconds }],
    session_id: session.sessionId,
    is_anonymous: user.is_anonymous,
  }
  return {
    access_token: signJwt(claims, settings.jwtSecret),
    token_type: 'bearer',
    expires_in: settings.jwtExpirySeconds,
    expires_at: exp,
    refresh_token: session.refreshToken,
    user,
  }
}
