// `parley-supabase`: sets up and runs the emulator from a terminal, the way the Supabase CLI does.
// `init` puts Parley's migrations into an app's supabase/ folder (cli-init.ts); `start` applies
// that folder like `supabase start` and prints the same kind of status block (URLs and keys).
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runInit } from './cli-init.js'
import { processIo, type CliIo } from './cli-io.js'
import { listMigrations } from './db/apply-migrations.js'
import type { DatabaseSpec } from './db/open-database.js'
import { describeDetails, type EmulatorLogger } from './emulator-logger.js'
import {
  describeProject,
  discoverProject,
  displayPath,
  type SupabaseProject,
} from './project/discover-project.js'
import { isProjectError } from './project/project-error.js'
import {
  startSupabaseEmulator,
  type SupabaseEmulator,
  type SupabaseEmulatorOptions,
} from './start-supabase-emulator.js'

export type { CliIo } from './cli-io.js'

/** The help text (also printed, with the problem, after a usage error). */
export const USAGE = `Usage: parley-supabase <command> [options]

Commands:
  init    copy Parley's migrations into ./supabase/migrations and its Edge Functions into
          ./supabase/functions (and write a minimal ./supabase/config.toml if there is
          none); run it again after upgrading
  start   run a local Supabase (Auth, PostgREST, Realtime, Edge Functions) on embedded
          Postgres, applying ./supabase/migrations then the seed, like \`supabase start\`,
          and serving ./supabase/functions like \`supabase functions serve\`

Options of init:
  --dir <app>           the app folder that gets supabase/ (default: the current directory)
  --force               replace migrations and function files that differ from Parley's

Options of start:
  --dir <app>           the app folder whose supabase/ is used (default: the current directory)
  --port <n>            API port (default: [api] port of config.toml, else 54321; 0 = any free)
  --host <addr>         interface to listen on (default 127.0.0.1)
  --data <dir>          keep the database in this directory (PGlite); default: in memory
  --database-url <url>  use this Postgres server instead of PGlite (the database must exist)
  --migrations <dir>    apply this folder instead of supabase/migrations (repeatable, in order)
  --seed <file>         seed file instead of [db.seed] sql_paths (default supabase/seed.sql)
  --no-seed             run no seed file
  --jwt-expiry <s>      access-token lifetime in seconds (default: [auth] jwt_expiry, else 3600)
  --env-file <file>     secrets for Edge Functions (default: supabase/functions/.env)
  --no-verify-jwt       serve every Edge Function without the JWT check
  --verbose             log every request-level debug line

  -h, --help            show this help

start reads only these keys of supabase/config.toml (flags win over them):
  [api] port  [db.seed] enabled, sql_paths
  [auth] jwt_expiry, enable_signup, enable_anonymous_sign_ins, site_url
  [auth.email] enable_confirmations, max_frequency, otp_expiry
  [functions.<name>] enabled, verify_jwt, import_map, entrypoint
`

/** A started CLI session: the emulator and a way to stop it as Ctrl-C does. */
export interface CliSession {
  emulator: SupabaseEmulator
  stop(): Promise<void>
}

/**
 * Runs the CLI with `args` (without `node` and the script): `init` resolves to `undefined` once
 * done, `start` to the running session. After help or an error it resolves to `undefined` with
 * `process.exitCode` set (2 for usage errors, 1 for failures).
 */
export async function runCli(
  args: string[],
  io: CliIo = processIo,
): Promise<CliSession | undefined> {
  const [command, ...rest] = args
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(USAGE)
    if (command === undefined) process.exitCode = 2
    return undefined
  }
  if (command === 'init') {
    let values
    try {
      ;({ values } = parseArgs({
        args: rest,
        options: {
          dir: { type: 'string' },
          force: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }))
    } catch (error) {
      return usageError(io, errorMessage(error))
    }
    if (values.help) io.out(USAGE)
    else await runInit({ dir: values.dir, force: values.force === true }, io)
    return undefined
  }
  if (command !== 'start') return usageError(io, `Unknown command: ${args.join(' ')}`)
  return runStart(rest, io)
}

/** `start`: discovers the app's supabase/ folder, warns about what is missing, starts. */
async function runStart(args: string[], io: CliIo): Promise<CliSession | undefined> {
  let values
  try {
    ;({ values } = parseArgs({
      args,
      options: {
        dir: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'database-url': { type: 'string' },
        migrations: { type: 'string', multiple: true },
        seed: { type: 'string' },
        'no-seed': { type: 'boolean' },
        'jwt-expiry': { type: 'string' },
        'env-file': { type: 'string' },
        'no-verify-jwt': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    return usageError(io, errorMessage(error))
  }
  if (values.help) {
    io.out(USAGE)
    return undefined
  }
  if (values.data && values['database-url']) {
    return usageError(io, '--data and --database-url exclude each other')
  }
  if (values.seed !== undefined && values['no-seed']) {
    return usageError(io, '--seed and --no-seed exclude each other')
  }

  let project: SupabaseProject
  try {
    project = await discoverProject(values.dir ?? process.cwd())
  } catch (error) {
    if (!isProjectError(error)) throw error
    io.err(`parley-supabase: ${error.message}\n`)
    process.exitCode = 1
    return undefined
  }
  const { config } = project
  // The Auth fields of ProjectConfig are named as the emulator's options (Pick<> fails to compile
  // otherwise); only keys set in config.toml are present.
  const { apiPort: _port, seedEnabled: _seed, seedPaths: _paths, ...auth } = config
  const authSettings: Pick<SupabaseEmulatorOptions, keyof typeof auth> = auth
  const port = values.port === undefined ? (config.apiPort ?? 54321) : Number(values.port)
  const jwtExpirySeconds =
    values['jwt-expiry'] === undefined ? config.jwtExpirySeconds : Number(values['jwt-expiry'])
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return usageError(io, `Invalid --port ${values.port}`)
  if (
    jwtExpirySeconds !== undefined &&
    !(Number.isInteger(jwtExpirySeconds) && jwtExpirySeconds > 0)
  ) {
    return usageError(io, `Invalid --jwt-expiry ${values['jwt-expiry']}`)
  }
  const database: DatabaseSpec = values['database-url']
    ? { url: values['database-url'] }
    : values.data
      ? { dir: resolve(values.data) }
      : 'memory'

  // What was found, in one line; then everything a user must not miss on stderr.
  io.out(`${describeProject(project)}\n`)
  const migrationsDirs = values.migrations?.map((dir) => resolve(dir)) ?? [project.migrationsDir]
  let found = 0
  for (const dir of migrationsDirs) found += (await listMigrations(dir)).length
  if (found === 0) io.err(noMigrationsWarning(migrationsDirs, values.migrations !== undefined))
  for (const pattern of values.seed === undefined ? project.unmatchedSeedPaths : []) {
    io.err(`parley-supabase: warning: [db.seed] sql_paths entry "${pattern}" matches no file\n`)
  }
  const seed = values['no-seed']
    ? false
    : values.seed !== undefined
      ? resolve(values.seed)
      : project.seedFiles

  const started = Date.now()
  let emulator: SupabaseEmulator
  try {
    emulator = await startSupabaseEmulator({
      port,
      database,
      logger: consoleLogger(io, values.verbose === true),
      migrationsDir: migrationsDirs,
      seed,
      ...(values.host !== undefined && { host: values.host }),
      ...authSettings,
      ...(jwtExpirySeconds !== undefined && { jwtExpirySeconds }),
      functions: {
        dir: project.functionsDir,
        functions: project.functionsConfig,
        ...(values['env-file'] !== undefined && { envFile: resolve(values['env-file']) }),
        ...(values['no-verify-jwt'] && { verifyJwt: false }),
      },
    })
  } catch (error) {
    const reason = isAddressInUse(error)
      ? `port ${port} is already in use (is another emulator or \`supabase start\` running?)`
      : describeDetails({ error })
    io.err(`parley-supabase: could not start: ${reason}\n`)
    process.exitCode = 1
    return undefined
  }
  io.out(statusBlock(emulator, database, Date.now() - started, found, project.functions))
  return { emulator, stop: () => emulator.stop() }
}

/** The loud warning for a start that applies no migration at all. */
function noMigrationsWarning(dirs: readonly string[], explicit: boolean): string {
  const where = dirs.map(displayPath).join(', ')
  const fix = explicit
    ? 'check the --migrations folder'
    : "run `npx parley-supabase init` to add Parley's migrations"
  const bar = '!'.repeat(78)
  return (
    `\n${bar}\n!! WARNING: no migrations in ${where} — ${fix}.\n` +
    `!! The database has none of Parley's tables or RPCs: every RPC call will fail with PGRST202.\n` +
    `${bar}\n\n`
  )
}

/** The `supabase status`-like block printed once the emulator is up. */
export function statusBlock(
  emulator: SupabaseEmulator,
  database: DatabaseSpec,
  elapsedMs: number,
  /** Migration files found in the folders applied, to tell "none pending" from "none at all". */
  foundMigrations = emulator.appliedMigrations.length,
  /** The Edge Functions found, listed under their URL. */
  functions: readonly string[] = [],
): string {
  const where =
    database === 'memory'
      ? 'PGlite in memory (data is lost on stop)'
      : 'dir' in database
        ? `PGlite in ${database.dir}`
        : `Postgres ${redact(database.url)}`
  const rows: [string, string][] = [
    ['API URL', emulator.url],
    ['REST URL', `${emulator.url}/rest/v1`],
    ['Auth URL', `${emulator.url}/auth/v1`],
    ['Realtime URL', `${emulator.url.replace(/^http/, 'ws')}/realtime/v1`],
    [
      'Functions URL',
      functions.length > 0
        ? `${emulator.functionsUrl}/<name> (${functions.join(', ')})`
        : `${emulator.functionsUrl}/<name> (none in supabase/functions)`,
    ],
    ['Database', where],
    ['JWT secret', emulator.jwtSecret],
    ['anon key', emulator.anonKey],
    ['service_role key', emulator.serviceRoleKey],
    ['Publishable key', emulator.publishableKey],
    ['Secret key', emulator.secretKey],
    ['Mailpit URL', `${emulator.mailUrl} (Auth's mails: magic links, OTP codes)`],
  ]
  const applied = emulator.appliedMigrations
  rows.push([
    'Migrations',
    applied.length > 0
      ? applied.join('\n')
      : foundMigrations > 0
        ? `none pending (${foundMigrations} already applied)`
        : 'none',
  ])
  const width = Math.max(...rows.map(([label]) => label.length))
  const lines = rows.map(
    ([label, value]) =>
      `${label.padStart(width)}: ${value.replaceAll('\n', `\n${' '.repeat(width + 2)}`)}`,
  )
  return `\nParley local Supabase started in ${(elapsedMs / 1000).toFixed(1)} s.\n\n${lines.join('\n')}\n\nPress Ctrl-C to stop.\n\n`
}

function consoleLogger(io: CliIo, verbose: boolean): EmulatorLogger {
  const line = (level: string, message: string, details?: Record<string, unknown>) => {
    const extra = details === undefined ? '' : ` ${describeDetails(details)}`
    return `${new Date().toISOString()} ${level} ${message}${extra}\n`
  }
  return {
    debug: (message, details) => {
      if (verbose) io.err(line('debug', message, details))
    },
    info: (message, details) => io.out(line('info ', message, verbose ? details : undefined)),
    warn: (message, details) => io.err(line('warn ', message, details)),
    error: (message, details) => io.err(line('error', message, details)),
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function usageError(io: CliIo, message: string): undefined {
  io.err(`${message}\n\n${USAGE}`)
  process.exitCode = 2
  return undefined
}

function isAddressInUse(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'EADDRINUSE'
  )
}

/** Hides a password in a connection URL before printing it. */
function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url
  }
}

/**
 * Runs the CLI until SIGINT/SIGTERM; the first signal stops cleanly, a second one exits at once.
 * Used by `bin/parley-supabase.mjs` and the root `npm start`.
 */
export async function main(
  args: string[] = process.argv.slice(2),
  io: CliIo = processIo,
): Promise<void> {
  // The handlers go in before the status block is printed: a Ctrl-C that follows the
  // "Press Ctrl-C" line at once must stop cleanly, not kill the process.
  const started: { session?: CliSession | undefined } = {}
  let stopping = false
  const stop = (): void => {
    started.session!.stop().then(
      () => {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      },
      (error: unknown) => {
        io.err(`stop failed: ${describeDetails({ error })}\n`)
        process.exit(1)
      },
    )
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`\n${signal} again: exiting without a clean stop\n`)
      process.exit(130)
    }
    stopping = true
    io.out(`\n${signal}: stopping…\n`)
    if (started.session !== undefined) stop()
    // Still starting: runCli resolves soon, and the stop follows below.
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  started.session = await runCli(args, io)
  if (started.session === undefined) {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (stopping) process.exit(130)
    return
  }
  if (stopping) stop()
}

// Run when executed directly (`node --import tsx src/cli.ts start`), not when imported.
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  void main()
}
