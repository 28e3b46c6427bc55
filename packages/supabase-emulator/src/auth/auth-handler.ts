// The GoTrue subset supabase-js uses (SUPABASE-PROTOCOL §3): sign-up (anonymous and
// email+password), password and refresh-token grants, the current user, sign-out, settings.
import type { Queryable } from '../db/database.js'
import { header, type EmulatorRequest, type RouteHandler } from '../http/emulator-request.js'
import { isHttpError } from '../http/http-error.js'
import { sendEmpty, sendJson } from '../http/send.js'
import type { ApiKeys } from './api-keys.js'
import { AuthError, authErrorBody, isAuthError } from './auth-error.js'
import { AuthStore, type AuthUser } from './auth-store.js'
import { issueSession, type TokenSettings } from './issue-session.js'
import { isJwtError, verifyJwt, type JwtClaims } from './jwt.js'
import { hashPassword, verifyPassword } from './password-hash.js'
import { readRequestCredentials } from './request-credentials.js'

/** Options of {@link createAuthHandler}. */
export interface AuthHandlerOptions extends TokenSettings {
  db: Queryable
  keys: ApiKeys
  /** Allow `signInAnonymously()`. Default `true` (the Supabase CLI defaults to `false`). */
  anonymousSignIns?: boolean
  /** Allow new users at all. Default `true`. */
  enableSignup?: boolean
  /** Seconds a rotated refresh token may still be replayed. Default `10` (CLI default). */
  refreshTokenReuseIntervalSeconds?: number
  /** Called for failures that are the emulator's fault (answered with 500). */
  onError?: (error: unknown) => void
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const MIN_PASSWORD_LENGTH = 6

/** Creates the `/auth/v1` route handler. */
export function createAuthHandler(options: AuthHandlerOptions): RouteHandler {
  const store = new AuthStore(options.db)
  const anonymousSignIns = options.anonymousSignIns ?? true
  const enableSignup = options.enableSignup ?? true
  const reuseInterval = options.refreshTokenReuseIntervalSeconds ?? 10

  async function signup(request: EmulatorRequest): Promise<unknown> {
    const body = await readJsonObject(request)
    const email = optionalString(body, 'email')
    const password = optionalString(body, 'password')
    const data = isRecord(body.data) ? body.data : {}
    if (!enableSignup)
      throw new AuthError('signup_disabled', 422, 'Signups not allowed for this instance')
    if (optionalString(body, 'phone')) {
      throw new AuthError(
        'validation_failed',
        422,
        'Phone signups are not supported by the emulator',
      )
    }
    if (!email && !password) {
      if (!anonymousSignIns) {
        throw new AuthError('anonymous_provider_disabled', 422, 'Anonymous sign-ins are disabled')
      }
      const user = await store.createUser({ isAnonymous: true, userMetadata: data })
      return startSession(user)
    }
    if (!email)
      throw new AuthError('validation_failed', 422, 'To signup, please provide your email')
    if (!EMAIL_PATTERN.test(email)) {
      throw new AuthError('email_address_invalid', 400, `Email address "${email}" is invalid`)
    }
    if (!password) throw new AuthError('validation_failed', 422, 'Signup requires a valid password')
    checkPasswordStrength(password)
    const user = await store.createUser({
      email,
      passwordHash: await hashPassword(password),
      isAnonymous: false,
      userMetadata: data,
    })
    return startSession(user)
  }

  async function startSession(user: AuthUser): Promise<unknown> {
    const started = await store.startSession(user.id)
    return issueSession(started.user, started.session, options)
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
      if (!stored || !ok)
        throw new AuthError('invalid_credentials', 400, 'Invalid login credentials')
      return startSession(stored.user)
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
      const user = await store.findUserById(rotated.userId)
      if (!user) throw new AuthError('user_not_found', 404, 'User not found')
      return issueSession(user, rotated, options)
    }
    throw new AuthError('unsupported_grant_type', 400, 'unsupported_grant_type')
  }

  /** Verifies the caller's user JWT and returns its claims and user (GoTrue's requireAuth). */
  async function requireUser(
    request: EmulatorRequest,
  ): Promise<{ claims: JwtClaims; user: AuthUser }> {
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
    const user = await store.findUserById(claims.sub)
    if (!user)
      throw new AuthError('user_not_found', 403, 'User from sub claim in JWT does not exist')
    return { claims, user }
  }

  async function updateUser(request: EmulatorRequest): Promise<unknown> {
    const { user } = await requireUser(request)
    const body = await readJsonObject(request)
    const email = optionalString(body, 'email')
    const password = optionalString(body, 'password')
    if (email !== undefined && !EMAIL_PATTERN.test(email)) {
      throw new AuthError('email_address_invalid', 400, `Email address "${email}" is invalid`)
    }
    if (password !== undefined) checkPasswordStrength(password)
    return store.updateUser(user.id, {
      email,
      passwordHash: password === undefined ? undefined : await hashPassword(password),
      userMetadata: isRecord(body.data) ? body.data : undefined,
    })
  }

  async function logout(request: EmulatorRequest): Promise<void> {
    const { claims, user } = await requireUser(request)
    const scope = request.url.searchParams.get('scope') ?? 'global'
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') {
      throw new AuthError('validation_failed', 400, `Unsupported logout scope "${scope}"`)
    }
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : undefined
    await store.endSessions(user.id, sessionId, scope)
  }

  const settings = () => ({
    external: { anonymous_users: anonymousSignIns, email: true, phone: false },
    disable_signup: !enableSignup,
    mailer_autoconfirm: true,
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
      if (method === 'POST' && path === '/signup')
        return sendJson(res, 200, await signup(request), headers)
      if (method === 'POST' && path === '/token')
        return sendJson(res, 200, await token(request), headers)
      if (method === 'GET' && path === '/user') {
        return sendJson(res, 200, (await requireUser(request)).user, headers)
      }
      if (method === 'PUT' && path === '/user')
        return sendJson(res, 200, await updateUser(request), headers)
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
      if (method === 'GET' && path === '/.well-known/jwks.json')
        return sendJson(res, 200, { keys: [] }, headers)
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

function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AuthError(
      'weak_password',
      422,
      `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`,
      {
        weak_password: { reasons: ['length'] },
      },
    )
  }
}

async function readJsonObject(request: EmulatorRequest): Promise<Record<string, unknown>> {
  const raw = await request.body()
  if (raw.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new AuthError(
      'bad_json',
      400,
      `Could not parse request body as JSON: ${(error as Error).message}`,
    )
  }
  if (!isRecord(parsed)) throw new AuthError('bad_json', 400, 'Request body must be a JSON object')
  return parsed
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string')
    throw new AuthError('validation_failed', 400, `"${key}" must be a string`)
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
