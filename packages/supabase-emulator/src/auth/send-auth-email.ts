// Issuing a one-time token and mailing it: the step sign-up (with confirmations) and OTP sign-in
// share. The token is stored before the mail goes out, so a test that reads the mail can always
// verify it.
import type { AuthContext } from './auth-context.js'
import type { AuthMailType } from './auth-mailer.js'
import { AuthError } from './auth-error.js'
import { generateOtp, otpTokenHash } from './otp.js'
import type { AuthUser } from './user-row.js'

/**
 * Makes a code for `user`, stores its hash (the confirmation token for `signup`, the recovery
 * token for `magiclink`) and mails code and link. Returns the user with its `…_sent_at` updated.
 * Throws `over_email_send_rate_limit` (429) within `max_frequency` of the previous mail.
 */
export async function sendAuthEmail(
  ctx: AuthContext,
  user: AuthUser,
  type: AuthMailType,
  redirectTo: string,
): Promise<AuthUser> {
  const otp = generateOtp()
  const tokenHash = otpTokenHash(user.email, otp)
  const kind = type === 'signup' ? 'confirmation' : 'recovery'
  const result = await ctx.tokens.issue(user.id, kind, tokenHash, ctx.emailMaxFrequencyMs)
  if (!result.issued) {
    throw new AuthError(
      'over_email_send_rate_limit',
      429,
      `For security purposes, you can only request this after ${result.retryAfterSeconds} seconds.`,
    )
  }
  ctx.mailer.send({ type, email: user.email, otp, tokenHash, redirectTo })
  return result.user
}
