// `Deno.env` of a function: what the Supabase CLI injects (SUPABASE-PROTOCOL-2.md §2.5), with
// `SUPABASE_URL` pointing at the emulator itself, plus the project's secrets. The host's own
// environment is not passed through, as in the edge runtime.
import type { ApiKeys } from '../auth/api-keys.js'

/** Options of {@link functionEnv}. */
export interface FunctionEnvOptions {
  /** The emulator's URL. */
  apiUrl: string
  keys: ApiKeys
  jwtSecret: string
  /** A `postgresql://` URL when the database is a server; PGlite in memory has none. */
  dbUrl?: string | undefined
  /** Secrets (`.env`, `env` option); names starting with `SUPABASE_` are skipped. */
  secrets: Readonly<Record<string, string>>
}

/** Names a project cannot set: the CLI skips them in `.env` with a warning. */
export function isReservedEnvName(name: string): boolean {
  return name.startsWith('SUPABASE_')
}

/** The variables a function sees. */
export function functionEnv(options: FunctionEnvOptions): Record<string, string> {
  const { keys } = options
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.secrets)) {
    if (!isReservedEnvName(name)) env[name] = value
  }
  // The JWKS functions get locally: the symmetric secret the project's tokens are signed with
  // (emulator tokens are all HS256, so there is no EC key to list).
  const jwks = { keys: [{ kty: 'oct', k: Buffer.from(options.jwtSecret).toString('base64url') }] }
  Object.assign(env, {
    SUPABASE_URL: options.apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
    SUPABASE_SECRET_KEY: keys.secretKey,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    SUPABASE_JWKS: JSON.stringify(jwks),
    ...(options.dbUrl !== undefined && { SUPABASE_DB_URL: options.dbUrl }),
  })
  return env
}
