// A project URL or API key that cannot work, found before any request: the app shows it instead
// of a blank page or supabase-js's raw `Invalid supabaseUrl` thrown from a top-level await.

/** Why a Supabase configuration was refused. */
export type SupabaseConfigErrorCode =
  /** The URL is missing, not http(s), or malformed. */
  | 'invalid-url'
  /** The key is missing or empty. */
  | 'missing-key'
  /** The key is neither a JWT (legacy anon key) nor an `sb_publishable_…` key. */
  | 'invalid-key'
  /** A secret key (`sb_secret_…` or a `service_role` JWT) where a browser key belongs. */
  | 'secret-key'

/** A configuration error; `field` says which setting to fix. */
export class SupabaseConfigError extends Error {
  override readonly name = 'SupabaseConfigError'
  constructor(
    readonly code: SupabaseConfigErrorCode,
    readonly field: 'url' | 'key',
    message: string,
  ) {
    super(message)
  }
}

/** Whether `value` is a {@link SupabaseConfigError} (also one rebuilt after crossing a thread). */
export function isSupabaseConfigError(value: unknown): value is SupabaseConfigError {
  return (
    value instanceof SupabaseConfigError ||
    (value instanceof Error && value.name === 'SupabaseConfigError' && 'code' in value)
  )
}

/**
 * Checks a project URL and a browser key (the anon JWT or a publishable key); throws a
 * {@link SupabaseConfigError} naming what is wrong. Returns the URL without a trailing slash.
 */
export function checkSupabaseConfig(url: unknown, key: unknown): string {
  if (typeof url !== 'string' || url.trim() === '')
    throw new SupabaseConfigError('invalid-url', 'url', 'the Supabase URL is missing')
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw new SupabaseConfigError('invalid-url', 'url', `the Supabase URL is malformed: ${url}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new SupabaseConfigError('invalid-url', 'url', `the Supabase URL must be http(s): ${url}`)
  if (typeof key !== 'string' || key.trim() === '')
    throw new SupabaseConfigError('missing-key', 'key', 'the Supabase key is missing')
  const k = key.trim()
  if (k.startsWith('sb_secret_'))
    throw new SupabaseConfigError(
      'secret-key',
      'key',
      'a secret key must never reach a browser: use the publishable key',
    )
  if (!k.startsWith('sb_publishable_')) {
    const role = jwtRole(k)
    if (role === undefined)
      throw new SupabaseConfigError(
        'invalid-key',
        'key',
        'the Supabase key is neither a publishable key (sb_publishable_…) nor an anon JWT',
      )
    if (role === 'service_role')
      throw new SupabaseConfigError(
        'secret-key',
        'key',
        'the service_role key must never reach a browser: use the anon key',
      )
  }
  return parsed.href.replace(/\/$/, '')
}

/** The `role` claim of a JWT-shaped string, or undefined when it is not one. */
function jwtRole(token: string): string | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[1] === undefined) return undefined
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'))
    const claims = JSON.parse(json) as { role?: unknown }
    return typeof claims.role === 'string' ? claims.role : ''
  } catch {
    return undefined
  }
}
