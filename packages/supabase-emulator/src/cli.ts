// `parley-supabase`: runs the emulator from a terminal, the way `supabase start` runs the Docker
// stack, and prints the same kind of status block (URLs and keys) for copying into an app.
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { DatabaseSpec } from './db/open-database.js'
import { describeDetails, type EmulatorLogger } from './emulator-logger.js'
import { startSupabaseEmulator, type SupabaseEmulator } from './start-supabase-emulator.js'

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

const USAGE = `Usage: parley-supabase start [options]

Runs a local Supabase subset (Auth, PostgREST, Realtime) on embedded Postgres.

Options:
  --port <n>            API port (default 54321; 0 picks a free one)
  --host <addr>         interface to listen on (default 127.0.0.1)
  --data <dir>          keep the database in this directory (PGlite); default: in memory
  --database-url <url>  use this Postgres server instead of PGlite (the database must exist)
  --migrations <dir>    migrations folder (repeatable; default: the repository's supabase/migrations)
  --seed <file>         seed file (default: supabase/seed.sql); --no-seed to skip
  --jwt-expiry <s>      access-token lifetime in seconds (default 3600)
  --verbose             log every request-level debug line
  -h, --help            show this help
`

/** A started CLI session: the emulator and a way to stop it as Ctrl-C does. */
export interface CliSession {
  emulator: SupabaseEmulator
  stop(): Promise<void>
}

/**
 * Runs the CLI with `args` (without `node` and the script). Resolves to the running session for
 * `start`, or `undefined` after printing help or an error (then `process.exitCode` is set).
 */
export async function runCli(
  args: string[],
  io: CliIo = processIo,
): Promise<CliSession | undefined> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'database-url': { type: 'string' },
        migrations: { type: 'string', multiple: true },
        seed: { type: 'string' },
        'no-seed': { type: 'boolean' },
        'jwt-expiry': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    process.exitCode = 2
    return undefined
  }
  const { values, positionals } = parsed
  if (values.help || positionals.length === 0) {
    io.out(USAGE)
    if (!values.help) process.exitCode = 2
    return undefined
  }
  if (positionals[0] !== 'start' || positionals.length > 1) {
    io.err(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`)
    process.exitCode = 2
    return undefined
  }
  if (values.data && values['database-url']) {
    io.err('--data and --database-url exclude each other\n')
    process.exitCode = 2
    return undefined
  }
  const port = values.port === undefined ? 54321 : Number(values.port)
  const jwtExpirySeconds =
    values['jwt-expiry'] === undefined ? undefined : Number(values['jwt-expiry'])
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

  const started = Date.now()
  let emulator: SupabaseEmulator
  try {
    emulator = await startSupabaseEmulator({
      port,
      database,
      logger: consoleLogger(io, values.verbose === true),
      ...(values.host !== undefined && { host: values.host }),
      ...(values.migrations !== undefined && {
        migrationsDir: values.migrations.map((d) => resolve(d)),
      }),
      ...(values['no-seed']
        ? { seed: false as const }
        : values.seed !== undefined
          ? { seed: resolve(values.seed) }
          : {}),
      ...(jwtExpirySeconds !== undefined && { jwtExpirySeconds }),
    })
  } catch (error) {
    const reason = isAddressInUse(error)
      ? `port ${port} is already in use (is another emulator or \`supabase start\` running?)`
      : describeDetails({ error })
    io.err(`parley-supabase: could not start: ${reason}\n`)
    process.exitCode = 1
    return undefined
  }
  io.out(statusBlock(emulator, database, Date.now() - started))
  return { emulator, stop: () => emulator.stop() }
}

/** The `supabase status`-like block printed once the emulator is up. */
export function statusBlock(
  emulator: SupabaseEmulator,
  database: DatabaseSpec,
  elapsedMs: number,
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
    ['Database', where],
    ['JWT secret', emulator.jwtSecret],
    ['anon key', emulator.anonKey],
    ['service_role key', emulator.serviceRoleKey],
    ['Publishable key', emulator.publishableKey],
    ['Secret key', emulator.secretKey],
  ]
  const width = Math.max(...rows.map(([label]) => label.length))
  const lines = rows.map(([label, value]) => `${label.padStart(width)}: ${value}`)
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
  const session = await runCli(args, io)
  if (!session) return
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`\n${signal} again: exiting without a clean stop\n`)
      process.exit(130)
    }
    stopping = true
    io.out(`\n${signal}: stopping…\n`)
    session.stop().then(
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
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

// Run when executed directly (`node --import tsx src/cli.ts start`), not when imported.
if (
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href
) {
  void main()
}
