// One call that gives a test or the CLI a running local Supabase: database (bootstrapped, migrated,
// seeded), Auth, PostgREST, Realtime, Edge Functions and a mail catcher behind one HTTP port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApiKeys, type ApiKeys } from './auth/api-keys.js'
import { createAuthHandler } from './auth/auth-handler.js'
import { DEFAULT_JWT_SECRET } from './auth/jwt.js'
import { createMailHandler, MAIL_PATH_PREFIX } from './auth/mail-handler.js'
import { Mailbox } from './auth/mailbox.js'
import { applyMigrations, applySeed, listMigrations } from './db/apply-migrations.js'
import type { Database } from './db/database.js'
import { openDatabase, type DatabaseSpec } from './db/open-database.js'
import { completeLogger, type EmulatorLogger } from './emulator-logger.js'
import { createRealtimeServer, type RealtimeServerOptions } from './realtime/realtime-server.js'
import { createRestHandler } from './rest/rest-handler.js'
import { createSchemaCache } from './rest/schema-cache.js'
import { sendJson } from './http/send.js'
import type { EdgeFunctionsOptions } from './functions/edge-functions-options.js'
import { createFunctionsHandler } from './functions/functions-handler.js'
import {
  IN_PARLEY_REPOSITORY,
  PARLEY_FUNCTIONS_DIR,
  PARLEY_MIGRATIONS_DIR,
} from './project/parley-migrations.js'
import { createEmulatorServer } from './server.js'

/**
 * Default {@link SupabaseEmulatorOptions.migrationsDir}: Parley's own migrations (the schema of
 * docs/SCHEMA.md), the repository's `supabase/migrations` or the copy the package ships.
 */
export const DEFAULT_MIGRATIONS_DIR = PARLEY_MIGRATIONS_DIR

/**
 * Default {@link SupabaseEmulatorOptions.functions}: Parley's Edge Functions (`parley-compact`),
 * the repository's `supabase/functions` or the copy the package ships.
 */
export const DEFAULT_FUNCTIONS_DIR = PARLEY_FUNCTIONS_DIR

/** Options of {@link startSupabaseEmulator}. */
export interface SupabaseEmulatorOptions {
  /** TCP port; `0` picks a free one. Default `54321` (the Supabase CLI's API port). */
  port?: number
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string
  /**
   * Where data lives: `'memory'` (PGlite, gone on stop), `{ dir }` (PGlite files) or `{ url }`
   * (a Postgres server; the database must exist). Default `'memory'`.
   */
  database?: DatabaseSpec
  /**
   * Migration folder(s), applied in order (each file once, recorded as the CLI does); `false`
   * applies none. Default: Parley's migrations ({@link DEFAULT_MIGRATIONS_DIR}). The CLI passes
   * the app's `supabase/migrations` instead.
   */
  migrationsDir?: string | readonly string[] | false
  /**
   * Seed file(s) run in order after the migrations (each once per content; a missing file is
   * skipped); `false` for none. Default: none.
   */
  seed?: string | readonly string[] | false
  /** Access-token lifetime in seconds. Default `3600` (the CLI's `jwt_expiry`). */
  jwtExpirySeconds?: number
  /** HS256 secret for all keys and tokens. Default: the CLI's local secret. */
  jwtSecret?: string
  /** Log sink. Default: silent except errors (as process warnings). */
  logger?: Partial<EmulatorLogger>
  /** Allow anonymous sign-ins. Default `true` (Parley needs them; the CLI defaults to false). */
  anonymousSignIns?: boolean
  /** Allow new users at all (config.toml `[auth] enable_signup`). Default `true`. */
  enableSignup?: boolean
  /**
   * Require new e-mail addresses to be confirmed by mail (config.toml `[auth.email]
   * enable_confirmations`): `signUp` then returns a user without a session and mails a
   * confirmation link and code. Default `false` (the CLI's default: users are confirmed at once).
   */
  emailConfirmations?: boolean
  /**
   * Least time between two Auth mails to one user (config.toml `[auth.email] max_frequency`);
   * sooner requests get `429 over_email_send_rate_limit`. Default `1000` (the CLI's `1s`).
   */
  emailMaxFrequencyMs?: number
  /** How long OTP codes and mail links stay valid (`[auth.email] otp_expiry`). Default `3600`. */
  otpExpirySeconds?: number
  /**
   * Where the mail link's `/auth/v1/verify` redirects when the request named no `redirect_to`
   * (`[auth] site_url`). Default `'http://127.0.0.1:3000'`.
   */
  siteUrl?: string
  /** Largest request body; bigger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number
  /** Schemas PostgREST exposes; the first is the default. Default `['public']`. */
  schemas?: readonly string[]
  /** Extra Realtime settings (limits, delays) for tests. */
  realtime?: Omit<RealtimeServerOptions, 'db' | 'jwtSecret' | 'apiKeys'>
  /**
   * Edge Functions served at `/functions/v1/<name>`: a `supabase/functions` folder, or the folder
   * with per-function settings and secrets; `false` serves none. Functions boot on their first
   * request. Default: Parley's functions ({@link DEFAULT_FUNCTIONS_DIR}). The CLI passes the app's
   * `supabase/functions` and its `[functions.<name>]` settings instead.
   */
  functions?: string | EdgeFunctionsOptions | false
}

/** A running emulator. */
export interface SupabaseEmulator extends ApiKeys {
  /** Base URL for `createClient`, e.g. `http://127.0.0.1:54321`. */
  url: string
  port: number
  /** `<url>/functions/v1`, where Edge Functions are served. */
  functionsUrl: string
  /**
   * Base URL of the Mailpit-compatible mail API, `<url>/mailpit`: e.g.
   * `GET <mailUrl>/api/v1/search?query=to:"a@b.co"` then `GET <mailUrl>/api/v1/message/<ID>`.
   */
  mailUrl: string
  /** Every mail Auth sent (in memory, newest first): the same messages as {@link mailUrl}. */
  mailbox: Mailbox
  jwtSecret: string
  /** The underlying database (superuser access). */
  db: Database
  /**
   * Migrations this start applied, as file names without `.sql` (`20261121120000_create_…`), in
   * order; on a persistent database, those already recorded are not listed.
   */
  appliedMigrations: readonly string[]
  /** Runs one SQL statement as the superuser and returns its rows; refreshes the schema cache. */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>
  /** Runs a multi-statement SQL script as the superuser; refreshes the schema cache. */
  exec(script: string): Promise<void>
  /** Stops listening, closes every socket and the database. Idempotent. */
  stop(): Promise<void>
}

/** Starts the emulator; resolves once it accepts connections. */
export async function startSupabaseEmulator(
  options: SupabaseEmulatorOptions = {},
): Promise<SupabaseEmulator> {
  const logger = completeLogger(options.logger)
  const jwtSecret = options.jwtSecret ?? DEFAULT_JWT_SECRET
  const keys = createApiKeys(jwtSecret)
  const host = options.host ?? '127.0.0.1'
  const database = options.database ?? 'memory'

  // Bind the port first: a taken port fails in milliseconds, not after the database started.
  const server = createServer()
  const starting = (_req: IncomingMessage, res: ServerResponse) =>
    sendJson(res, 503, { message: 'The emulator is starting' })
  server.on('request', starting)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 54321, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (error) => logger.error('http: server error', { error }))
  const port = (server.address() as AddressInfo).port
  const url = `http://${urlHost(host)}:${port}`

  // Stop order: refuse new connections, close Realtime's sockets (the server's close waits for
  // upgraded sockets too), then the database under them.
  let closeRealtime: (() => Promise<void>) | undefined
  let closeFunctions: (() => Promise<void>) | undefined
  let closeDb: (() => Promise<void>) | undefined
  const runCleanups = async () => {
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    for (const cleanup of [closeRealtime, () => serverClosed, closeFunctions, closeDb]) {
      await cleanup?.().catch((error: unknown) => logger.error('stop: cleanup failed', { error }))
    }
  }
  try {
    const db = await openDatabase(database, {
      onError: (error) => logger.error('db: connection error', { error }),
    })
    closeDb = () => db.close()
    const dirs =
      options.migrationsDir === false
        ? []
        : typeof options.migrationsDir === 'string'
          ? [options.migrationsDir]
          : (options.migrationsDir ?? [DEFAULT_MIGRATIONS_DIR])
    const appliedMigrations: string[] = []
    for (const dir of dirs) {
      const files = await listMigrations(dir)
      if (files.length === 0 && options.migrationsDir === undefined) {
        logger.warn(`db: no Parley migrations in ${dir} (a package packed without copy-schema?)`)
      }
      const applied = new Set(await applyMigrations(db, dir))
      const names = files.filter((f) => applied.has(f.version)).map((f) => `${f.version}_${f.name}`)
      if (names.length > 0)
        logger.info(`db: applied ${names.length} migration(s) from ${dir}`, { names })
      appliedMigrations.push(...names)
    }
    const seeds = options.seed === undefined || options.seed === false ? [] : [options.seed].flat()
    for (const seed of seeds) if (await applySeed(db, seed)) logger.info(`db: ran seed ${seed}`)

    const cache = createSchemaCache(db, options.schemas ?? ['public'])
    const realtime = createRealtimeServer({
      ...options.realtime,
      db,
      jwtSecret,
      apiKeys: keys,
      logger: { ...logger, ...options.realtime?.logger },
    })
    closeRealtime = () => realtime.close()
    await realtime.ready

    const tokenSettings = {
      jwtSecret,
      jwtExpirySeconds: options.jwtExpirySeconds ?? 3600,
      issuer: `${url}/auth/v1`,
    }
    const onError = (error: unknown) => logger.error('http: request failed', { error })
    const mailbox = new Mailbox()
    const functionsOption =
      options.functions === undefined ? DEFAULT_FUNCTIONS_DIR : options.functions
    const functions =
      functionsOption === false
        ? undefined
        : createFunctionsHandler({
            ...(typeof functionsOption === 'string' ? { dir: functionsOption } : functionsOption),
            keys,
            jwtSecret,
            apiUrl: url,
            dbUrl: typeof database === 'object' && 'url' in database ? database.url : undefined,
            logger,
            // Inside the monorepo, `@parley/*` imports bundle from their TypeScript sources.
            conditions: IN_PARLEY_REPOSITORY ? ['source'] : [],
          })
    closeFunctions = functions?.close
    server.off('request', starting)
    createEmulatorServer(
      {
        keys,
        jwtSecret,
        logger,
        realtime,
        ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
        auth: createAuthHandler({
          ...tokenSettings,
          db,
          keys,
          mailbox,
          apiUrl: url,
          anonymousSignIns: options.anonymousSignIns ?? true,
          ...(options.enableSignup !== undefined && { enableSignup: options.enableSignup }),
          ...(options.emailConfirmations !== undefined && {
            emailConfirmations: options.emailConfirmations,
          }),
          ...(options.emailMaxFrequencyMs !== undefined && {
            emailMaxFrequencyMs: options.emailMaxFrequencyMs,
          }),
          ...(options.otpExpirySeconds !== undefined && {
            otpExpirySeconds: options.otpExpirySeconds,
          }),
          ...(options.siteUrl !== undefined && { siteUrl: options.siteUrl }),
          onError,
        }),
        mail: createMailHandler(mailbox),
        ...(functions && { functions: functions.handle }),
        rest: createRestHandler({
          db,
          cache,
          keys,
          jwtSecret,
          ...(options.schemas !== undefined && { schemas: options.schemas }),
          onError,
        }),
      },
      server,
    )
    logger.info(`emulator: listening on ${url}`)

    let stopping: Promise<void> | undefined
    return {
      ...keys,
      url,
      port,
      functionsUrl: `${url}/functions/v1`,
      mailUrl: `${url}${MAIL_PATH_PREFIX}`,
      mailbox,
      jwtSecret,
      db,
      appliedMigrations,
      async sql<Row = Record<string, unknown>>(text: string, params?: unknown[]) {
        try {
          return (await db.query<Row>(text, params)).rows
        } finally {
          cache.invalidate()
        }
      },
      async exec(script: string) {
        try {
          await db.exec(script)
        } finally {
          cache.invalidate()
        }
      },
      stop() {
        stopping ??= runCleanups().then(() => logger.info('emulator: stopped'))
        return stopping
      },
    }
  } catch (error) {
    await runCleanups()
    throw error
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}
