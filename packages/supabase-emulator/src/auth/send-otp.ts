// `POST /otp` (SUPABASE-PROTOCOL-2 §3.3), what `signInWithOtp({ email })` calls: mails a magic link
// with a 6-digit code, creating the user first when allowed. A new or unconfirmed address gets
// the sign-up confirmation mail instead when confirmations are on.
import type { EmulatorRequest } from '../http/emulator-request.js'
import type { AuthContext } from './auth-context.js'
import { optionalData, optionalString, readJsonObject } from './auth-body.js'
import { AuthError, isAuthError } from './auth-error.js'
import { normalizeEmail } from './email-address.js'
import { sendAuthEmail } from './send-auth-email.js'
import { redirectTarget } from './verify-redirect.js'

/** Handles `POST /otp`; answers `{}` once the mail is in the mailbox. */
export async function sendOtp(
  ctx: AuthContext,
  request: EmulatorRequest,
): Promise<Record<string, never>> {
  const body = await readJsonObject(request)
  if (optionalString(body, 'phone')) {
    throw new AuthError('validation_failed', 422, 'Phone OTP is not supported by the emulator')
  }
  const rawEmail = optionalString(body, 'email')
  if (!rawEmail) {
    throw new AuthError('validation_failed', 422, 'An email address or phone number is required')
  }
  const email = normalizeEmail(rawEmail)
  // GoTrue decodes the body over `create_user: true`, so only an explicit false refuses.
  const createUser = body.create_user !== false
  const redirectTo = redirectTarget(request.url.searchParams.get('redirect_to'), ctx.siteUrl)

  let user = (await ctx.store.findUserByEmail(email))?.user
  if (!user) {
    if (!createUser) throw new AuthError('otp_disabled', 422, 'Signups not allowed for otp')
    if (!ctx.enableSignup) {
      throw new AuthError('signup_disabled', 422, 'Signups not allowed for this instance')
    }
    // No password: `signInWithPassword` answers invalid_credentials, as for GoTrue's random one.
    user = await ctx.store
      .createUser({
        email,
        isAnonymous: false,
        confirmed: !ctx.emailConfirmations,
        userMetadata: optionalData(body) ?? {},
      })
      .catch(async (error: unknown) => {
        // A concurrent request created the user first: carry on with that one.
        const winner = isAuthError(error) && (await ctx.store.findUserByEmail(email))
        if (!winner) throw error
        return winner.user
      })
  }
  if (user.email_confirmed_at === undefined && !ctx.emailConfirmations) {
    user = await ctx.store.confirmUser(user.id)
  }
  const type = user.email_confirmed_at === undefined ? 'signup' : 'magiclink'
  await sendAuthEmail(ctx, user, type, redirectTo)
  return {}
}
