// `POST /signup` (SUPABASE-PROTOCOL §3.1, -2 §3.1): anonymous when the body has neither e-mail nor
// password, else e-mail + password. With confirmations off (the CLI default) the user is confirmed
// at once and gets a session; with them on the answer is the bare user and a confirmation mail.
import { randomUUID } from 'node:crypto'
import type { EmulatorRequest } from '../http/emulator-request.js'
import type { AuthContext } from './auth-context.js'
import { optionalData, optionalString, readJsonObject } from './auth-body.js'
import { AuthError } from './auth-error.js'
import { normalizeEmail } from './email-address.js'
import { hashPassword } from './password-hash.js'
import { checkPasswordPolicy } from './password-policy.js'
import { sendAuthEmail } from './send-auth-email.js'
import type { SessionResponse } from './issue-session.js'
import type { AuthUser } from './user-row.js'
import { redirectTarget } from './verify-redirect.js'

/** Handles `POST /signup`: a session, or (confirmations on) the bare user. */
export async function signUp(
  ctx: AuthContext,
  request: EmulatorRequest,
): Promise<SessionResponse | AuthUser> {
  const body = await readJsonObject(request)
  const rawEmail = optionalString(body, 'email')
  const password = optionalString(body, 'password')
  const data = optionalData(body) ?? {}
  if (!ctx.enableSignup) {
    throw new AuthError('signup_disabled', 422, 'Signups not allowed for this instance')
  }
  if (optionalString(body, 'phone')) {
    throw new AuthError('validation_failed', 422, 'Phone signups are not supported by the emulator')
  }
  if (!rawEmail && !password) {
    if (!ctx.anonymousSignIns) {
      throw new AuthError('anonymous_provider_disabled', 422, 'Anonymous sign-ins are disabled')
    }
    const user = await ctx.store.createUser({
      isAnonymous: true,
      confirmed: false,
      userMetadata: data,
    })
    return ctx.startSession(user, 'anonymous')
  }
  // GoTrue's order: password presence and policy, then the address.
  if (!password) throw new AuthError('validation_failed', 400, 'Signup requires a valid password')
  checkPasswordPolicy(password)
  if (!rawEmail) {
    throw new AuthError('validation_failed', 422, 'To signup, please provide your email')
  }
  const email = normalizeEmail(rawEmail)
  const redirectTo = redirectTarget(request.url.searchParams.get('redirect_to'), ctx.siteUrl)

  const existing = await ctx.store.findUserByEmail(email)
  if (existing?.user.email_confirmed_at !== undefined) {
    if (!ctx.emailConfirmations) {
      throw new AuthError('user_already_exists', 422, 'User already registered')
    }
    // With confirmations on GoTrue hides that the address is taken: a look-alike user, no mail.
    return obfuscatedUser(email, data)
  }
  // An unconfirmed user signs up anew; GoTrue leaves its password and metadata as they were,
  // since nothing proves the caller owns the address yet.
  const user =
    existing?.user ??
    (await ctx.store.createUser({
      email,
      passwordHash: await hashPassword(password),
      isAnonymous: false,
      confirmed: !ctx.emailConfirmations,
      userMetadata: data,
    }))
  if (!ctx.emailConfirmations) {
    const confirmed = user.email_confirmed_at ? user : await ctx.store.confirmUser(user.id)
    return ctx.startSession(confirmed, 'password')
  }
  return sendAuthEmail(ctx, user, 'signup', redirectTo)
}

/** The stand-in GoTrue returns for a confirmed address when confirmations are on. */
function obfuscatedUser(email: string, data: Record<string, unknown>): AuthUser {
  const now = new Date().toISOString()
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email,
    phone: '',
    confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  }
}
