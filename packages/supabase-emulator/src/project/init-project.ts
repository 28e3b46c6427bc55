// `parley-supabase init`: puts Parley's migrations into an app's `supabase/migrations`, under
// their own timestamped names, so `supabase db push` and `parley-supabase start` both apply them,
// and Parley's Edge Functions into `supabase/functions/<name>/`, so `supabase functions deploy`
// and `parley-supabase start` both serve them. It never overwrites a different file unless
// asked, and writes nothing when it refuses.
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { listMigrations } from '../db/apply-migrations.js'
import { PARLEY_FUNCTIONS_DIR, PARLEY_MIGRATIONS_DIR } from './parley-migrations.js'
import { ProjectError } from './project-error.js'

/** Options of {@link initProject}. */
export interface InitProjectOptions {
  /** The app folder; `supabase/` is created inside it. It must exist. Default: the working directory. */
  dir?: string
  /** Replace migrations of the same name whose content differs from Parley's. Default `false`. */
  force?: boolean
  /** Folder of the migrations to copy. Default: {@link PARLEY_MIGRATIONS_DIR}. */
  source?: string
  /**
   * Folder of the Edge Functions to copy (each `<name>/` folder in it, whole). Default:
   * {@link PARLEY_FUNCTIONS_DIR}.
   */
  functionsSource?: string
}

/**
 * What {@link initProject} did. File names are migration file names (`<version>_<name>.sql`)
 * and, for functions, paths below `supabase/functions` (`parley-compact/index.ts`).
 */
export interface InitProjectResult {
  supabaseDir: string
  /** Whether `supabase/` did not exist before. */
  createdSupabaseDir: boolean
  /** The config.toml written now, or `undefined` when one already existed (it is never touched). */
  createdConfig: string | undefined
  /** Migrations written because they were missing. */
  copied: string[]
  /** Migrations that differed and were replaced (only with `force`). */
  overwritten: string[]
  /** Migrations already present with the same content. */
  unchanged: string[]
  /** Parley's Edge Function files, by what happened to them (as for migrations). */
  functions: { copied: string[]; overwritten: string[]; unchanged: string[] }
}

/**
 * Copies Parley's migrations into `<dir>/supabase/migrations` and its Edge Functions into
 * `<dir>/supabase/functions`, and writes a minimal `supabase/config.toml` when there is none.
 * Idempotent: a second run only reports `unchanged`.
 *
 * @throws {@link ProjectError} `migration_conflict` (nothing written) when a migration or
 *   function file of the same name differs and `force` is not set; `schema_missing` when the
 *   source has no migrations; `invalid_directory` when `dir` is not a directory.
 */
export async function initProject(options: InitProjectOptions = {}): Promise<InitProjectResult> {
  const app = resolve(options.dir ?? process.cwd())
  if (!(await stat(app).catch(() => undefined))?.isDirectory()) {
    throw new ProjectError('invalid_directory', `${app} is not a directory`, [app])
  }
  const source = options.source ?? PARLEY_MIGRATIONS_DIR
  const migrations = await listMigrations(source)
  if (migrations.length === 0) {
    throw new ProjectError(
      'schema_missing',
      `no Parley migrations in ${source}: this copy of @parley/supabase-emulator was packed ` +
        'without them (the package needs `npm run copy-schema` before `npm pack`)',
      [source],
    )
  }
  const supabaseDir = join(app, 'supabase')
  const targetDir = join(supabaseDir, 'migrations')
  const createdSupabaseDir = !(await exists(supabaseDir))

  // Plan everything first, so a refusal leaves the folder exactly as it was.
  const plan: { name: string; content: string; existing: string | undefined }[] = []
  for (const migration of migrations) {
    const name = basename(migration.path)
    plan.push({
      name,
      content: await readFile(migration.path, 'utf8'),
      existing: await readIfExists(join(targetDir, name)),
    })
  }
  const functionsTarget = join(supabaseDir, 'functions')
  const functionPlan: { name: string; content: string; existing: string | undefined }[] = []
  const functionsSource = options.functionsSource ?? PARLEY_FUNCTIONS_DIR
  for (const file of await listFunctionFiles(functionsSource)) {
    functionPlan.push({
      name: file,
      content: await readFile(join(functionsSource, file), 'utf8'),
      existing: await readIfExists(join(functionsTarget, file)),
    })
  }
  const differs = (p: { content: string; existing: string | undefined }) =>
    p.existing !== undefined && !sameText(p.existing, p.content)
  const conflicts = [
    ...plan.filter(differs).map((c) => join(targetDir, c.name)),
    ...functionPlan.filter(differs).map((c) => join(functionsTarget, c.name)),
  ]
  if (conflicts.length > 0 && options.force !== true) {
    throw new ProjectError(
      'migration_conflict',
      `${conflicts.length} file(s) in ${supabaseDir} differ from Parley's`,
      conflicts,
    )
  }

  await mkdir(targetDir, { recursive: true })
  const configFile = join(supabaseDir, 'config.toml')
  let createdConfig: string | undefined
  if (!(await exists(configFile))) {
    // 'wx': never clobber a config.toml that appeared since the check.
    await writeFile(configFile, minimalConfigToml(basename(app)), { flag: 'wx' })
    createdConfig = configFile
  }
  const result: InitProjectResult = {
    supabaseDir,
    createdSupabaseDir,
    createdConfig,
    copied: [],
    overwritten: [],
    unchanged: [],
    functions: { copied: [], overwritten: [], unchanged: [] },
  }
  for (const { name, content, existing } of plan) {
    if (existing !== undefined && sameText(existing, content)) {
      result.unchanged.push(name)
      continue
    }
    await writeFile(join(targetDir, name), content)
    ;(existing === undefined ? result.copied : result.overwritten).push(name)
  }
  for (const { name, content, existing } of functionPlan) {
    const done = result.functions
    if (existing !== undefined && sameText(existing, content)) {
      done.unchanged.push(name)
      continue
    }
    await mkdir(dirname(join(functionsTarget, name)), { recursive: true })
    await writeFile(join(functionsTarget, name), content)
    ;(existing === undefined ? done.copied : done.overwritten).push(name)
  }
  return result
}

/**
 * The files of every function folder of `dir` (`<name>/…`, relative, sorted); `_shared`-style
 * and dot folders and loose files (a tsconfig.json for the repository's typecheck) are not
 * functions. A missing `dir` has none.
 */
async function listFunctionFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue
      const path = join(folder, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) files.push(relative(dir, path).split('\\').join('/'))
    }
  }
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (entry.isDirectory() && /^[A-Za-z][A-Za-z0-9_-]*$/.test(entry.name)) {
      await walk(join(dir, entry.name))
    }
  }
  return files.sort()
}

/**
 * The config.toml `init` writes when there is none: the keys Parley's emulator reads, with the
 * Supabase CLI's defaults. The CLI fills in its defaults for everything not listed.
 */
export function minimalConfigToml(projectId: string): string {
  const id = projectId.replace(/[^A-Za-z0-9_-]/g, '-') || 'app'
  return `# Supabase project configuration, written by \`npx parley-supabase init\`.
# The Supabase CLI (\`supabase start\`, \`supabase config push\`) reads all of it and uses its
# defaults for anything not listed; see https://supabase.com/docs/guides/local-development/cli/config
# Parley's emulator (\`npx parley-supabase start\`) reads only these keys and ignores the rest:
#   [api] port  [db.seed] enabled, sql_paths
#   [auth] jwt_expiry, enable_signup, enable_anonymous_sign_ins, site_url
#   [auth.email] enable_confirmations, max_frequency, otp_expiry
project_id = "${id}"

[api]
port = 54321

[db.seed]
enabled = true
sql_paths = ["./seed.sql"]

[auth]
jwt_expiry = 3600
enable_signup = true
# true if your app signs users in anonymously (and enable them on the hosted project too).
enable_anonymous_sign_ins = false

[auth.email]
enable_confirmations = false
`
}

/** Equal up to line endings (a checkout with `core.autocrlf` is the same migration). */
function sameText(a: string, b: string): boolean {
  return a.replaceAll('\r\n', '\n') === b.replaceAll('\r\n', '\n')
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined
}

async function readIfExists(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
      return undefined
    throw error
  })
}
