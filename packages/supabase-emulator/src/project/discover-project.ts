// What an app's `supabase/` folder holds, read the way `supabase start` reads it: config.toml
// (the subset in project-config.ts and functions-config.ts), migrations/ in version order, the
// seed files, the Edge Functions, and whatever else is there that this emulator does not serve,
// so the CLI can say so in one line.
import { readFile, readdir, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { listMigrations, type MigrationFile } from '../db/apply-migrations.js'
import type { EdgeFunctionConfig } from '../functions/edge-functions-options.js'
import { functionsConfigKeys, parseFunctionsConfig } from './functions-config.js'
import { parseProjectConfig, PROJECT_CONFIG_KEYS, type ProjectConfig } from './project-config.js'
import { ProjectError } from './project-error.js'
import { resolveSeedPaths } from './resolve-seed-paths.js'

/** The Supabase CLI's default `[db.seed] sql_paths`. */
export const DEFAULT_SEED_PATHS: readonly string[] = ['./seed.sql']

/** Entries of `supabase/` that are part of a project but not served here, and what to say. */
const UNSUPPORTED_ENTRIES: Record<string, string> = {
  schemas: 'declarative schemas are not applied: generate migrations with `supabase db diff`',
  tests: 'database tests are not run: use `supabase test db`',
  templates: 'email templates are not used (the emulator sends no email)',
  'roles.sql': 'custom roles are not created',
}

/** An entry of `supabase/` that the emulator leaves alone. */
export interface IgnoredEntry {
  /** File or folder name inside `supabase/` (folders end with `/`). */
  name: string
  /** Why it is not used. */
  reason: string
}

/** What {@link discoverProject} found in `<appDir>/supabase/`. */
export interface SupabaseProject {
  appDir: string
  /** `<appDir>/supabase`. */
  supabaseDir: string
  /** Whether `supabaseDir` exists. */
  exists: boolean
  /** `supabase/config.toml` when present. */
  configFile: string | undefined
  /** The settings read from it (`{}` without a file). */
  config: ProjectConfig
  /** `supabase/migrations`, whether or not it exists. */
  migrationsDir: string
  /** Its migration files in apply order. */
  migrations: MigrationFile[]
  /** Seed files to run after the migrations, in order (empty when `[db.seed] enabled = false`). */
  seedFiles: string[]
  /** `sql_paths` entries that matched no file (the CLI warns about these too). */
  unmatchedSeedPaths: string[]
  /** `supabase/functions`, whether or not it exists. */
  functionsDir: string
  /** `[functions.<name>]` settings of config.toml (paths made absolute). */
  functionsConfig: Record<string, EdgeFunctionConfig>
  /**
   * The Edge Functions found: folders of `functions/` with an `index.ts` (names the CLI accepts)
   * and config sections with an `entrypoint`, minus those with `enabled = false`; sorted.
   */
  functions: string[]
  /** Entries present but not served, with the reason. */
  ignored: IgnoredEntry[]
}

/**
 * Reads `<appDir>/supabase/` (missing is fine: an empty project). Nothing is applied.
 *
 * @throws {@link ProjectError} `invalid_config` for a config.toml the emulator cannot read,
 *   `invalid_directory` when `appDir` is not a directory.
 */
export async function discoverProject(appDir: string): Promise<SupabaseProject> {
  const app = resolve(appDir)
  const appStat = await stat(app).catch(() => undefined)
  if (!appStat?.isDirectory()) {
    throw new ProjectError('invalid_directory', `${app} is not a directory`, [app])
  }
  const supabaseDir = join(app, 'supabase')
  const migrationsDir = join(supabaseDir, 'migrations')
  const entries = await readdir(supabaseDir, { withFileTypes: true }).catch((error: unknown) => {
    if (isCode(error, 'ENOENT')) return undefined
    throw error
  })
  const configFile = entries?.some((e) => e.name === 'config.toml' && e.isFile())
    ? join(supabaseDir, 'config.toml')
    : undefined
  const configText = configFile ? await readFile(configFile, 'utf8') : undefined
  const config = configFile && configText ? parseProjectConfig(configText, configFile) : {}
  const functionsConfig =
    configFile && configText ? parseFunctionsConfig(configText, supabaseDir, configFile) : {}
  const functionsDir = join(supabaseDir, 'functions')
  const seed =
    config.seedEnabled === false
      ? { files: [], unmatched: [] }
      : await resolveSeedPaths(supabaseDir, config.seedPaths ?? DEFAULT_SEED_PATHS)
  // A missing ./seed.sql is normal (the CLI's default, which `init` writes too): no warning.
  const defaultSeed = resolve(supabaseDir, 'seed.sql')
  const unmatched = seed.unmatched.filter((p) => resolve(supabaseDir, p) !== defaultSeed)
  const used = new Set([
    'config.toml',
    'migrations',
    'functions',
    ...seed.files.map((f) => firstSegment(supabaseDir, f)),
  ])
  const ignored: IgnoredEntry[] = []
  for (const entry of entries ?? []) {
    // Dot-entries (.temp, .branches, .gitignore) are the CLI's own bookkeeping.
    if (entry.name.startsWith('.') || used.has(entry.name)) continue
    const name = entry.isDirectory() ? `${entry.name}/` : entry.name
    ignored.push({ name, reason: UNSUPPORTED_ENTRIES[entry.name] ?? 'not used by the emulator' })
  }
  return {
    appDir: app,
    supabaseDir,
    exists: entries !== undefined,
    configFile,
    config,
    migrationsDir,
    migrations: await listMigrations(migrationsDir),
    seedFiles: seed.files,
    unmatchedSeedPaths: unmatched,
    functionsDir,
    functionsConfig,
    functions: await listFunctions(functionsDir, functionsConfig),
    ignored,
  }
}

/** Function folders with an `index.ts`, plus configured entrypoints; without disabled ones. */
async function listFunctions(
  dir: string,
  config: Record<string, EdgeFunctionConfig>,
): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const names = new Set<string>()
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(entry.name)) continue
    if ((await stat(join(dir, entry.name, 'index.ts')).catch(() => undefined))?.isFile()) {
      names.add(entry.name)
    }
  }
  for (const [name, settings] of Object.entries(config)) {
    if (settings.entrypoint !== undefined) names.add(name)
    if (settings.enabled === false) names.delete(name)
  }
  return [...names].sort()
}

/**
 * One line saying what was found and what is not served, e.g. `./supabase/: config.toml (read
 * api.port, auth.jwt_expiry), 3 migrations, seed.sql, 1 function (parley-compact); not served:
 * schemas/ (declarative schemas are not applied: …)`.
 */
export function describeProject(project: SupabaseProject): string {
  const where = displayPath(project.supabaseDir)
  if (!project.exists) return `${where}/: not found`
  const found: string[] = []
  if (project.configFile) {
    const keys = [
      ...(Object.keys(project.config) as (keyof ProjectConfig)[]).map(
        (field) => PROJECT_CONFIG_KEYS[field],
      ),
      ...functionsConfigKeys(project.functionsConfig),
    ]
    found.push(`config.toml (read ${keys.length > 0 ? keys.join(', ') : 'nothing'})`)
  }
  const count = project.migrations.length
  found.push(count === 1 ? '1 migration' : `${count} migrations`)
  found.push(...project.seedFiles.map((file) => relative(project.supabaseDir, file)))
  const functions = project.functions
  if (functions.length > 0) {
    found.push(
      `${functions.length === 1 ? '1 function' : `${functions.length} functions`} ` +
        `(${functions.join(', ')})`,
    )
  }
  const ignored = project.ignored.map(({ name, reason }) => `${name} (${reason})`)
  const notServed = ignored.length > 0 ? `; not served: ${ignored.join('; ')}` : ''
  return `${where}/: ${found.join(', ')}${notServed}`
}

/** `./supabase` under the working directory, the absolute path elsewhere. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path)
  if (rel === '') return '.'
  return rel.startsWith('..') || isAbsolute(rel) ? path : `./${rel}`
}

/** The name of the entry of `dir` that contains `file` (`seeds/a.sql` → `seeds`). */
function firstSegment(dir: string, file: string): string {
  return relative(dir, file).split(/[\\/]/)[0] ?? ''
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code
}
