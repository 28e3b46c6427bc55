// The `[functions.<name>]` sections of `supabase/config.toml` (SUPABASE-PROTOCOL-2.md §2.4):
// `enabled`, `verify_jwt`, `import_map` and `entrypoint`. Paths are relative to `supabase/`, as
// the Supabase CLI reads them. Other keys of the sections (`static_files`) are ignored.
import { resolve } from 'node:path'
import type { EdgeFunctionConfig } from '../functions/edge-functions-options.js'
import { parseToml, type TomlValue } from './parse-toml.js'
import { ProjectError } from './project-error.js'

/** The keys of a `[functions.<name>]` section the emulator reads, per field. */
const FUNCTION_KEYS = {
  enabled: 'enabled',
  verifyJwt: 'verify_jwt',
  importMap: 'import_map',
  entrypoint: 'entrypoint',
} as const satisfies Record<keyof EdgeFunctionConfig, string>

/**
 * Reads every `[functions.<name>]` section of a config.toml's text; `supabaseDir` anchors the
 * paths. Only keys present in the file are set.
 *
 * @throws {@link ProjectError} `invalid_config` for TOML errors and keys of the wrong type.
 */
export function parseFunctionsConfig(
  text: string,
  supabaseDir: string,
  file = 'config.toml',
): Record<string, EdgeFunctionConfig> {
  const functions: Record<string, EdgeFunctionConfig> = {}
  for (const [key, raw] of parseToml(text, file)) {
    const match = /^functions\.([^.]+)\.([^.]+)$/.exec(key)
    if (!match) continue
    const [, name = '', field = ''] = match
    const value = fromEnv(raw)
    const config = (functions[name] ??= {})
    const wrong = (expected: string) =>
      new ProjectError(
        'invalid_config',
        `${file}: [functions.${name}] ${field} must be ${expected}, not ${JSON.stringify(value)}`,
        [file],
      )
    if (field === FUNCTION_KEYS.enabled || field === FUNCTION_KEYS.verifyJwt) {
      if (typeof value !== 'boolean') throw wrong('true or false')
      config[field === FUNCTION_KEYS.enabled ? 'enabled' : 'verifyJwt'] = value
    } else if (field === FUNCTION_KEYS.importMap || field === FUNCTION_KEYS.entrypoint) {
      if (typeof value !== 'string' || value === '') throw wrong('a path')
      config[field === FUNCTION_KEYS.importMap ? 'importMap' : 'entrypoint'] = resolve(
        supabaseDir,
        value,
      )
    }
  }
  return functions
}

/** The keys a parsed configuration holds, as written (`functions.hello.verify_jwt`). */
export function functionsConfigKeys(functions: Record<string, EdgeFunctionConfig>): string[] {
  return Object.entries(functions).flatMap(([name, config]) =>
    (Object.keys(config) as (keyof EdgeFunctionConfig)[]).map(
      (field) => `functions.${name}.${FUNCTION_KEYS[field]}`,
    ),
  )
}

/** The CLI's `env(NAME)` strings take their value from the environment. */
function fromEnv(value: TomlValue): TomlValue {
  const name = typeof value === 'string' ? /^env\((\w+)\)$/.exec(value)?.[1] : undefined
  return (name === undefined ? undefined : process.env[name]) ?? value
}
