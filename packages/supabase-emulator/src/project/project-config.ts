// The part of `supabase/config.toml` the emulator honours. Everything else in the file is for the
// Supabase CLI and is ignored here; the start line says which of these keys were found.
import { parseToml, type TomlValue } from './parse-toml.js'
import { ProjectError } from './project-error.js'

/**
 * Settings read from `supabase/config.toml`; a key absent from the file is `undefined` here, and
 * the emulator's own default applies (the same as the Supabase CLI's unless noted).
 */
export interface ProjectConfig {
  /** `[api] port`: the API port when `--port` is not given. */
  apiPort?: number
  /** `[db.seed] enabled`: `false` skips the seed files. */
  seedEnabled?: boolean
  /** `[db.seed] sql_paths`: seed files or globs, relative to the `supabase/` folder. */
  seedPaths?: string[]
  /** `[auth] jwt_expiry`: access-token lifetime in seconds (1 to 604800). */
  jwtExpirySeconds?: number
  /** `[auth] enable_signup`: whether new users may sign up at all. */
  enableSignup?: boolean
  /** `[auth] enable_anonymous_sign_ins`: whether `signInAnonymously()` is allowed. */
  anonymousSignIns?: boolean
  /** `[auth] site_url`: where mail links redirect when a request names no `redirect_to`. */
  siteUrl?: string
  /** `[auth.email] enable_confirmations`: whether email sign-ups must be confirmed first. */
  emailConfirmations?: boolean
  /** `[auth.email] max_frequency` (a duration such as `"1s"`), in milliseconds. */
  emailMaxFrequencyMs?: number
  /** `[auth.email] otp_expiry`: seconds an emailed code or link stays valid (1 to 86400). */
  otpExpirySeconds?: number
}

/** The keys the emulator reads, as written in config.toml, per {@link ProjectConfig} field. */
export const PROJECT_CONFIG_KEYS = {
  apiPort: 'api.port',
  seedEnabled: 'db.seed.enabled',
  seedPaths: 'db.seed.sql_paths',
  jwtExpirySeconds: 'auth.jwt_expiry',
  enableSignup: 'auth.enable_signup',
  anonymousSignIns: 'auth.enable_anonymous_sign_ins',
  siteUrl: 'auth.site_url',
  emailConfirmations: 'auth.email.enable_confirmations',
  emailMaxFrequencyMs: 'auth.email.max_frequency',
  otpExpirySeconds: 'auth.email.otp_expiry',
} as const satisfies Record<keyof ProjectConfig, string>

/**
 * Reads the {@link ProjectConfig} subset from the text of a config.toml.
 *
 * @throws {@link ProjectError} `invalid_config` when the file is not TOML or a key it reads has
 *   the wrong type or range (the message names `file`, the key and, for syntax, the line).
 */
export function parseProjectConfig(text: string, file = 'config.toml'): ProjectConfig {
  const entries = parseToml(text, file)
  // The CLI's `env(NAME)` strings take their value from the environment.
  for (const [key, value] of entries) {
    const name = typeof value === 'string' ? /^env\((\w+)\)$/.exec(value)?.[1] : undefined
    const fromEnv = name === undefined ? undefined : process.env[name]
    if (fromEnv !== undefined) entries.set(key, fromEnv)
  }
  const read = <T>(
    key: string,
    check: (value: TomlValue) => value is T & TomlValue,
    expected: string,
  ): T | undefined => {
    const value = entries.get(key)
    if (value === undefined || check(value)) return value
    const [table, name] = splitKey(key)
    throw new ProjectError(
      'invalid_config',
      `${file}: [${table}] ${name} must be ${expected}, not ${JSON.stringify(value)}`,
      [file],
    )
  }
  const config: ProjectConfig = {
    apiPort: read(PROJECT_CONFIG_KEYS.apiPort, isIntegerIn(1, 65535), 'an integer from 1 to 65535'),
    seedEnabled: read(PROJECT_CONFIG_KEYS.seedEnabled, isBoolean, 'true or false'),
    seedPaths: read(PROJECT_CONFIG_KEYS.seedPaths, isStringArray, 'an array of strings')?.slice(),
    jwtExpirySeconds: read(
      PROJECT_CONFIG_KEYS.jwtExpirySeconds,
      isIntegerIn(1, 604800),
      'an integer from 1 to 604800 (one week)',
    ),
    enableSignup: read(PROJECT_CONFIG_KEYS.enableSignup, isBoolean, 'true or false'),
    anonymousSignIns: read(PROJECT_CONFIG_KEYS.anonymousSignIns, isBoolean, 'true or false'),
    siteUrl: read(PROJECT_CONFIG_KEYS.siteUrl, isUrl, 'an http(s) URL'),
    emailConfirmations: read(PROJECT_CONFIG_KEYS.emailConfirmations, isBoolean, 'true or false'),
    emailMaxFrequencyMs: durationMs(
      read(PROJECT_CONFIG_KEYS.emailMaxFrequencyMs, isDuration, 'a duration such as "1s" or "5m"'),
    ),
    otpExpirySeconds: read(
      PROJECT_CONFIG_KEYS.otpExpirySeconds,
      isIntegerIn(1, 86400),
      'an integer from 1 to 86400 (one day)',
    ),
  }
  // Drop absent keys so callers can spread the result over defaults.
  for (const name of Object.keys(config) as (keyof ProjectConfig)[]) {
    if (config[name] === undefined) delete config[name]
  }
  return config
}

/** `'auth.email.enable_confirmations'` → `['auth.email', 'enable_confirmations']`. */
function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.')
  return [key.slice(0, dot), key.slice(dot + 1)]
}

/** Go's time.ParseDuration units, which the Supabase CLI uses for durations. */
const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/

function isDuration(value: TomlValue): value is string {
  return typeof value === 'string' && DURATION.test(value)
}

/** `"1m30s"` → 90000. */
function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  let total = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (DURATION_UNITS_MS[unit ?? ''] ?? 0)
  }
  return Math.round(total)
}

function isUrl(value: TomlValue): value is string {
  return typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value)
}

function isBoolean(value: TomlValue): value is boolean {
  return typeof value === 'boolean'
}

function isStringArray(value: TomlValue): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

function isIntegerIn(min: number, max: number): (value: TomlValue) => value is number {
  return (value): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
}
