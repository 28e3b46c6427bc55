// HS256 JSON Web Tokens, as Supabase's local stack signs its anon, service_role and user keys.
// Node's crypto is enough for HS256; a library would add nothing but weight.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** The Supabase CLI's default local JWT secret (`auth.jwt_secret` in config.toml). */
export const DEFAULT_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long'

/** Claims Parley's emulator reads; any other claim is carried through untouched. */
export interface JwtClaims {
  role: string
  exp: number
  iat?: number
  sub?: string
  aud?: string | string[]
  iss?: string
  email?: string
  is_anonymous?: boolean
  session_id?: string
  [claim: string]: unknown
}

/** Why a token was refused. */
export type JwtErrorCode = 'malformed' | 'bad_signature' | 'expired' | 'missing_claims'

/** A token that cannot be trusted. */
export class JwtError extends Error {
  override readonly name = 'JwtError'
  constructor(
    readonly code: JwtErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Type guard for {@link JwtError}. */
export function isJwtError(error: unknown): error is JwtError {
  return error instanceof JwtError
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

/** Signs claims with HS256. Header is exactly `{"alg":"HS256","typ":"JWT"}` like the CLI's keys. */
export function signJwt(claims: JwtClaims, secret: string): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = base64url(JSON.stringify(claims))
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${signature}`
}

/**
 * Verifies an HS256 token and returns its claims. Throws {@link JwtError}: `malformed`,
 * `bad_signature`, `missing_claims` (no `role` or `exp`, which Realtime requires) or `expired`.
 * `nowSeconds` is injectable so tests can move time.
 */
export function verifyJwt(
  token: string,
  secret: string,
  nowSeconds = Date.now() / 1000,
): JwtClaims {
  const parts = token.split('.')
  if (parts.length !== 3)
    throw new JwtError('malformed', 'Expected 3 parts in JWT; got ' + parts.length)
  const [head, body, signature] = parts as [string, string, string]
  let header: unknown
  let claims: unknown
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'))
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw new JwtError('malformed', 'JWT is not base64url JSON')
  }
  if (!isRecord(header) || header.alg !== 'HS256') {
    throw new JwtError('malformed', 'Only HS256 tokens are supported')
  }
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new JwtError('bad_signature', 'JWT signature does not match')
  }
  if (!isRecord(claims) || typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    throw new JwtError('missing_claims', 'Fields `role` and `exp` are required in JWT')
  }
  if (claims.exp <= nowSeconds) throw new JwtError('expired', 'Token has expired')
  return claims as JwtClaims
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The CLI's default local anon key (HS256 over the default secret, `exp` 1983812996). */
export const DEFAULT_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'

/** Derives the anon and service_role keys for a secret, the way the Supabase CLI does. */
export function deriveApiKeys(secret: string): { anonKey: string; serviceRoleKey: string } {
  const key = (role: string) => signJwt({ iss: 'supabase-demo', role, exp: 1983812996 }, secret)
  return { anonKey: key('anon'), serviceRoleKey: key('service_role') }
}
