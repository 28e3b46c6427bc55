// `/verify` (SUPABASE-PROTOCOL-2 §3.4): `POST` is `auth.verifyOtp(…)` (a code with its address, or a
// token hash) and answers a session; `GET` is the link in the mail and answers a 303 redirect
// carrying the session or the error. A token works once; wrong, used and expired tokens all get
// `otp_expired`, as GoTrue does not tell them apart.
import type { EmulatorRequest } from '../http/emulator-request.js'
import type { AuthContext } from './auth-context.js'
import { optionalString, readJsonObject } from './auth-body.js'
import { AuthError, isAuthError } from './auth-error.js'
import type { EmailTokenKind, TokenMatch } from './email-token-store.js'
import type { SessionResponse } from './issue-session.js'
import { otpTokenHash } from './otp.js'
import { errorRedirectUrl, redirectTarget, sessionRedirectUrl } from './verify-redirect.js'

/** The e-mail verification types auth-js sends (`EmailOtpType`). */
export type VerifyType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change' | 'email'

// Which stored token each type may consume, in order. `email` tries the confirmation token
// first (then it counts as `signup`), then the magic-link one. The emulator sends no
// e-mail-change mails, so `email_change` never matches.
const TOKEN_KINDS: Record<VerifyType, readonly EmailTokenKind[]> = {
  signup: ['confirmation'],
  invite: ['confirmation'],
  magiclink: ['recovery'],
  recovery: ['recovery'],
  email_change: [],
  email: ['confirmation', 'recovery'],
}

/** Handles `POST /verify`: the session of the user whose token matched. */
export async function verifyOtp(
  ctx: AuthContext,
  request: EmulatorRequest,
): Promise<SessionResponse> {
  const body = await readJsonObject(request)
  const type = readType(optionalString(body, 'type'))
  const token = optionalString(body, 'token')
  const tokenHash = optionalString(body, 'token_hash')
  const email = optionalString(body, 'email')
  const phone = optionalString(body, 'phone')
  if ((token === undefined) === (tokenHash === undefined)) {
    throw new AuthError('validation_failed', 400, 'Verify requires either a token or a token hash')
  }
  let match: TokenMatch
  if (tokenHash !== undefined) {
    if (email !== undefined || phone !== undefined) {
      throw new AuthError(
        'validation_failed',
        400,
        'Only the token_hash and type should be provided',
      )
    }
    match = { tokenHash }
  } else {
    if (phone !== undefined) {
      throw new AuthError(
        'validation_failed',
        400,
        'Phone verification is not supported by the emulator',
      )
    }
    if (email === undefined) {
      throw new AuthError(
        'validation_failed',
        400,
        'Only an email address or phone number should be provided on verify',
      )
    }
    const address = email.toLowerCase()
    match = { tokenHash: otpTokenHash(address, token ?? ''), email: address }
  }
  const { user } = await consumeToken(ctx, type, match)
  return ctx.startSession(user, 'otp')
}

/**
 * Handles `GET /verify?token=<hash>&type=…&redirect_to=…` (the mail link): returns the URL to
 * redirect to, with the session (or the error) in its fragment.
 */
export async function verifyLink(ctx: AuthContext, request: EmulatorRequest): Promise<string> {
  const params = request.url.searchParams
  const redirectTo = redirectTarget(params.get('redirect_to'), ctx.siteUrl)
  try {
    const type = readType(params.get('type') ?? undefined)
    const token = params.get('token')
    if (!token) throw new AuthError('validation_failed', 400, 'Verify requires a token')
    const { user, redirectType } = await consumeToken(ctx, type, { tokenHash: token })
    const session = await ctx.startSession(user, 'otp')
    return sessionRedirectUrl(redirectTo, session, redirectType)
  } catch (error) {
    if (!isAuthError(error)) throw error
    return errorRedirectUrl(redirectTo, error)
  }
}

async function consumeToken(ctx: AuthContext, type: VerifyType, match: TokenMatch) {
  for (const kind of TOKEN_KINDS[type]) {
    const user = await ctx.tokens.consume(kind, match, ctx.otpExpirySeconds)
    if (!user) continue
    const redirectType = type !== 'email' ? type : kind === 'confirmation' ? 'signup' : 'magiclink'
    return { user, redirectType }
  }
  throw new AuthError('otp_expired', 403, 'Token has expired or is invalid')
}

function readType(raw: string | undefined): VerifyType {
  if (raw === undefined) {
    throw new AuthError('validation_failed', 400, 'Verify requires a verification type')
  }
  if (!Object.hasOwn(TOKEN_KINDS, raw)) {
    throw new AuthError('validation_failed', 400, 'Unsupported verification type')
  }
  return raw as VerifyType
}
