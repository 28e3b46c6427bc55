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
  /** `[auth] enable_anonymous_sign_ins`: Parley's clients need this `true`. */
  anonymousSignIns?: boolean
  /** `[auth.email] enable_confirmations`: whether email sign-ups must be confirmed first. */
  emailConfirmations?: boolean
}

/** The keys the emulator reads, as written in config.toml, per {@link ProjectConfig} field. */
export const PROJECT_CONFIG_KEYS = {
  apiPort: 'api.port',
  seedEnabled: 'db.seed.enabled',
  seedPaths: 'db.seed.sql_paths',
  jwtExpirySeconds: 'auth.jwt_expiry',
  enableSignup: 'auth.enable_signup',
  anonymousSignIns: 'auth.enable_anonymous_sign_ins',
  emailConfirmations: 'auth.email.enable_confirmations',
} as const satisfies Record<keyof ProjectConfig, string>

/**
 * Reads the {@link ProjectConfig} subset from the text of a config.toml.
 *
 * @throws {@link ProjectError} `invalid_config` when the file is not TOML or a key it reads has
 *   the wrong type or range (the message names `file`, the key and, for syntax, the line).
 */
export function parseProjectConfig(text: string, file = 'config.toml'): ProjectConfig {
  const entries = parseToml(text, file)
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
    emailConfirmations: read(PROJECT_CONFIG_KEYS.emailConfirmations, isBoolean, 'true or false'),
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
