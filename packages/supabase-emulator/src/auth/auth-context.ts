// What the Auth routes share: the stores, the mailer and the resolved settings. Built once by
// `createAuthHandler`; each route file is a function of this context and one request.
import type { AuthMailer } from './auth-mailer.js'
import type { AuthStore } from './auth-store.js'
import type { EmailTokenStore } from './email-token-store.js'
import type { AuthMethod, SessionResponse } from './issue-session.js'
import type { AuthUser } from './user-row.js'

/** The Auth routes' shared state; every setting is resolved (no defaults left to apply). */
export interface AuthContext {
  store: AuthStore
  tokens: EmailTokenStore
  mailer: AuthMailer
  /** `[auth] enable_signup`. */
  enableSignup: boolean
  /** `[auth] enable_anonymous_sign_ins`. */
  anonymousSignIns: boolean
  /** `[auth.email] enable_confirmations`: new addresses must be confirmed by mail. */
  emailConfirmations: boolean
  /** `[auth.email] max_frequency` in milliseconds: least time between two mails to one user. */
  emailMaxFrequencyMs: number
  /** `[auth.email] otp_expiry`: how long codes and links stay valid. */
  otpExpirySeconds: number
  /** `[auth] site_url`: where `/verify` redirects when no usable `redirect_to` was given. */
  siteUrl: string
  /** Starts a session for the user and signs its access token. */
  startSession(user: AuthUser, method?: AuthMethod): Promise<SessionResponse>
}
