// The GoTrue subset supabase-js uses (SUPABASE-PROTOCOL §3, -2 §3): sign-up (anonymous and
// e-mail + password), password and refresh-token grants, OTP / magic links and their
// verification, the current user, sign-out, settings. This file routes and answers errors in
// GoTrue's shape; each flow lives in its own file and shares an {@link AuthContext}.
import type { Queryable } from '../db/database.js'
import { header, type EmulatorRequest, type RouteHandler } from '../http/emulator-request.js'
import { isHttpError } from '../http/http-error.js'
import { sendEmpty, sendJson } from '../http/send.js'
import type { ApiKeys } from './api-keys.js'
import { optionalString, readJsonObject } from './auth-body.js'
import type { AuthContext } from './auth-context.js'
import { AuthError, authErrorBody, isAuthError } from './auth-error.js'
import { createAuthMailer } from './auth-mailer.js'
import { AuthStore } from './auth-store.js'
import { EmailTokenStore } from './email-token-store.js'
import { issueSession, type TokenSettings } from './issue-session.js'
import { isJwtError, verifyJwt, type JwtClaims } from './jwt.js'
import { Mailbox } from './mailbox.js'
import { verifyPassword } from './password-hash.js'
import { readRequestCredentials } from './request-credentials.js'
import { sendOtp } from './send-otp.js'
import { signUp } from './sign-up.js'
import { updateUser } from './update-user.js'
import type { StoredUser } from './user-row.js'
import { verifyLink, verifyOtp } from './verify.js'

/** The Supabase CLI's default `[auth] site_url`. */
export const DEFAULT_SITE_URL = 'http://127.0.0.1:3000'

/** Options of {@link createAuthHandler}. */
export interface AuthHandlerOptions extends TokenSettings {
  db: Queryable
  keys: ApiKeys
  /** Allow `signInAnonymously()`. Default `true` (the Supabase CLI defaults to `false`). */
  anonymousSignIns?: boolean
  /** Allow new users at all. Default `true`. */
  enableSignup?: boolean
  /**
   * Require new addresses to be confirmed by mail (`[auth.email] enable_confirmations`): sign-up
   * then answers the bare user and mails a confirmation. Default `false`, as the CLI.
   */
  emailConfirmations?: boolean
  /** Least time between two mails to one user (`[auth.email] max_frequency`). Default `1000`. */
  emailMaxFrequencyMs?: number
  /** How long codes and links stay valid (`[auth.email] otp_expiry`). Default `3600`. */
  otpExpirySeconds?: number
  /** Redirect target when a request names none (`[auth] site_url`). Default {@link DEFAULT_SITE_URL}. */
  siteUrl?: string
  /** The API URL that mail links point at. Default: `issuer` without its `/auth/v1`. */
  apiUrl?: string
  /** Where sent mail goes. Default: a mailbox of this handler's own, which nobody reads. */
  mailbox?: Mailbox
  /** Seconds a rotated refresh token may still be replayed. Default `10` (CLI default). */
  refreshTokenReuseIntervalSeconds?: number
  /** Called for failures that are the emulator's fault (answered with 500). */
  onError?: (error: unknown) => void
}

/** Creates the `/auth/v1` route handler. */
export function createAuthHandler(options: AuthHandlerOptions): RouteHandler {
  const store = new AuthStore(options.db)
  const reuseInterval = options.refreshTokenReuseIntervalSeconds ?? 10
  const ctx: AuthContext = {
    store,
    tokens: new EmailTokenStore(options.db),
    mailer: createAuthMailer({
      mailbox: options.mailbox ?? new Mailbox(),
      apiUrl: options.apiUrl ?? options.issuer.replace(/\/auth\/v1\/?$/, ''),
    }),
    enableSignup: options.enableSignup ?? true,
    anonymousSignIns: options.anonymousSignIns ?? true,
    emailConfirmations: options.emailConfirmations ?? false,
    emailMaxFrequencyMs: options.emailMaxFrequencyMs ?? 1000,
    otpExpirySeconds: options.otpExpirySeconds ?? 3600,
    siteUrl: options.siteUrl ?? DEFAULT_SITE_URL,
    async startSession(user, method) {
      const started = await store.startSession(user.id)
      return issueSession(started.user, started.session, options, method)
    },
  }

  async function token(request: EmulatorRequest): Promise<unknown> {
    const grantType = request.url.searchParams.get('grant_type')
    const body = await readJsonObject(request)
    if (grantType === 'password') {
      const email = optionalString(body, 'email')
      const password = optionalString(body, 'password')
      if (!email || !password) {
        throw new AuthError('validation_failed', 400, 'A valid email and password are required')
      }
      const stored = await store.findUserByEmail(email)
      const ok = stored?.passwordHash ? await verifyPassword(password, stored.passwordHash) : false
      // One answer for unknown address, no password and wrong password, so none leaks.
      if (!stored || !ok) {
        throw new AuthError('invalid_credentials', 400, 'Invalid login credentials')
      }
      if (stored.user.email_confirmed_at === undefined) {
        throw new AuthError('email_not_confirmed', 400, 'Email not confirmed')
      }
      return ctx.startSession(stored.user, 'password')
    }
    if (grantType === 'refresh_token') {
      const refreshToken = optionalString(body, 'refresh_token')
      if (!refreshToken) {
        throw new AuthError(
          'refresh_token_not_found',
          400,
          'Invalid Refresh Token: Refresh Token Not Found',
        )
      }
      const rotated = await store.rotateRefreshToken(refreshToken, reuseInterval)
      const stored = await store.findUserById(rotated.userId)
      if (!stored) throw new AuthError('user_not_found', 404, 'User not found')
      return issueSession(stored.user, rotated, options)
    }
    throw new AuthError('unsupported_grant_type', 400, 'unsupported_grant_type')
  }

  /** Verifies the caller's user JWT and returns its claims and user (GoTrue's requireAuth). */
  async function requireUser(
    request: EmulatorRequest,
  ): Promise<{ claims: JwtClaims; stored: StoredUser }> {
    const { bearer } = readRequestCredentials(request.req, request.url, options.keys)
    if (!bearer) {
      throw new AuthError('no_authorization', 401, 'This endpoint requires a valid Bearer token')
    }
    let claims: JwtClaims
    try {
      claims = verifyJwt(bearer, options.jwtSecret)
    } catch (error) {
      if (!isJwtError(error)) throw error
      const reason = error.code === 'expired' ? 'token is expired' : error.message
      throw new AuthError(
        'bad_jwt',
        403,
        `invalid JWT: unable to parse or verify signature, ${reason}`,
      )
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw new AuthError('bad_jwt', 403, 'invalid claim: missing sub claim')
    }
    if (typeof claims.session_id === 'string' && !(await store.sessionExists(claims.session_id))) {
      throw new AuthError(
        'session_not_found',
        403,
        'Session from session_id claim in JWT does not exist',
      )
    }
    const stored = await store.findUserById(claims.sub)
    if (!stored) {
      throw new AuthError('user_not_found', 403, 'User from sub claim in JWT does not exist')
    }
    return { claims, stored }
  }

  async function logout(request: EmulatorRequest): Promise<void> {
    const { claims, stored } = await requireUser(request)
    // GoTrue treats an empty scope as the default.
    const scope = request.url.searchParams.get('scope') || 'global'
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') {
      throw new AuthError('validation_failed', 400, `Unsupported logout scope "${scope}"`)
    }
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined
    await store.endSessions(stored.user.id, sessionId, scope)
  }

  const settings = () => ({
    external: { anonymous_users: ctx.anonymousSignIns, email: true, phone: false },
    disable_signup: !ctx.enableSignup,
    mailer_autoconfirm: !ctx.emailConfirmations,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
  })

  return async (request) => {
    const { req, res, path } = request
    const versioned = header(req, 'x-supabase-api-version') !== undefined
    const headers: Record<string, string> = versioned
      ? { 'x-supabase-api-version': '2024-01-01' }
      : {}
    const method = req.method ?? 'GET'
    try {
      if (method === 'POST' && path === '/signup') {
        return sendJson(res, 200, await signUp(ctx, request), headers)
      }
      if (method === 'POST' && path === '/token') {
        return sendJson(res, 200, await token(request), headers)
      }
      if (method === 'POST' && path === '/otp') {
        return sendJson(res, 200, await sendOtp(ctx, request), headers)
      }
      if (method === 'POST' && path === '/verify') {
        return sendJson(res, 200, await verifyOtp(ctx, request), headers)
      }
      if (method === 'GET' && path === '/verify') {
        return sendEmpty(res, 303, { ...headers, location: await verifyLink(ctx, request) })
      }
      if (method === 'GET' && path === '/user') {
        return sendJson(res, 200, (await requireUser(request)).stored.user, headers)
      }
      if (method === 'PUT' && path === '/user') {
        const { stored } = await requireUser(request)
        return sendJson(res, 200, await updateUser(ctx, request, stored), headers)
      }
      if (method === 'POST' && path === '/logout') {
        await logout(request)
        return sendEmpty(res, 204, headers)
      }
      if (method === 'GET' && path === '/settings') return sendJson(res, 200, settings(), headers)
      if (method === 'GET' && path === '/health') {
        return sendJson(
          res,
          200,
          { name: 'GoTrue', version: 'parley-emulator', description: 'Parley local GoTrue subset' },
          headers,
        )
      }
      // HS256 user tokens: auth-js' getClaims() falls back to GET /user when no key matches.
      if (method === 'GET' && path === '/.well-known/jwks.json') {
        return sendJson(res, 200, { keys: [] }, headers)
      }
      throw new AuthError('not_found', 404, `Unsupported path ${method} /auth/v1${path}`)
    } catch (caught) {
      let error: AuthError
      if (isAuthError(caught)) error = caught
      else if (isHttpError(caught)) {
        error = new AuthError(
          caught.status === 413 ? 'request_too_large' : 'bad_json',
          caught.status,
          caught.message,
        )
      } else {
        options.onError?.(caught)
        error = new AuthError('unexpected_failure', 500, 'Unexpected failure in the emulator')
      }
      sendJson(res, error.status, authErrorBody(error, versioned), {
        ...headers,
        'x-sb-error-code': error.code,
      })
    }
  }
}
