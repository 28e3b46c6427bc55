// Where the Supabase suites run: a real Supabase project named by environment variables, or a
// fresh emulator (PGlite in memory, plus a Postgres-server variant when DATABASE_URL is set).
//
//   SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY  → that project only ('remote')
//   (SUPABASE_JWT_SECRET optional: enables the tests that forge tokens)
//   otherwise                                                    → 'pglite'
//   DATABASE_URL (and no SUPABASE_URL)                           → also 'postgres'
//
// A remote project must already have `supabase/migrations` and `tests/supabase/fixtures/migrations`
// applied; an emulator target applies them itself.
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import pg from 'pg'
import { WebSocket } from 'ws'
import {
  DEFAULT_MIGRATIONS_DIR,
  startSupabaseEmulator,
  type SupabaseEmulator,
  type SupabaseEmulatorOptions,
} from '@parley/supabase-emulator'

/** Which backend a suite runs against. */
export type TargetKind = 'remote' | 'pglite' | 'postgres'

/** A Supabase to test against. */
export interface SupabaseTarget {
  kind: TargetKind
  url: string
  anonKey: string
  serviceRoleKey: string
  /** The JWT secret when known (always for emulators; `SUPABASE_JWT_SECRET` for remote). */
  jwtSecret: string | undefined
  /** The running emulator (superuser SQL, stop), absent for a remote project. */
  emulator: SupabaseEmulator | undefined
  /** Stops the emulator and drops its scratch database; nothing for a remote project. */
  stop(): Promise<void>
}

/** The test-only migrations (conformance fixtures) that go on top of the repository's. */
export const FIXTURE_MIGRATIONS_DIR = fileURLToPath(
  new URL('./fixtures/migrations', import.meta.url),
)

/** Whether this run targets a real Supabase project (SUPABASE_URL set). */
export function isRemoteRun(): boolean {
  return Boolean(process.env.SUPABASE_URL)
}

/** The targets this run covers: only 'remote', or 'pglite' plus 'postgres' when DATABASE_URL is set. */
export function targetKinds(): TargetKind[] {
  if (isRemoteRun()) return ['remote']
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
}

/** Options for emulator targets (ignored for a remote project). */
export type TargetOptions = Omit<SupabaseEmulatorOptions, 'database' | 'port'>

/**
 * Starts (or connects to) a target. Emulators listen on a free port and apply the repository
 * migrations plus {@link FIXTURE_MIGRATIONS_DIR} unless `options.migrationsDir` says otherwise.
 */
export async function startTarget(
  kind: TargetKind = targetKinds()[0] ?? 'pglite',
  options: TargetOptions = {},
): Promise<SupabaseTarget> {
  if (kind === 'remote') return remoteTarget()
  const withDefaults: SupabaseEmulatorOptions = {
    migrationsDir: [DEFAULT_MIGRATIONS_DIR, FIXTURE_MIGRATIONS_DIR],
    ...options,
    port: 0,
  }
  if (kind === 'pglite') {
    const emulator = await startSupabaseEmulator({ ...withDefaults, database: 'memory' })
    return emulatorTarget(kind, emulator, () => emulator.stop())
  }
  const scratch = await createScratchDatabase()
  try {
    const emulator = await startSupabaseEmulator({
      ...withDefaults,
      database: { url: scratch.url },
    })
    return emulatorTarget(kind, emulator, async () => {
      await emulator.stop()
      await scratch.drop()
    })
  } catch (error) {
    await scratch.drop()
    throw error
  }
}

/** A supabase-js client for a target: no persisted session, no auto refresh, `ws` transport. */
export function createTestClient(
  target: Pick<SupabaseTarget, 'url' | 'anonKey'>,
  key: string = target.anonKey,
): SupabaseClient {
  return createClient(target.url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no global WebSocket; supabase-js takes the `ws` class instead.
    realtime: { transport: WebSocket as never },
  })
}

function remoteTarget(): SupabaseTarget {
  const url = process.env.SUPABASE_URL
  const anonKey = process.env.SUPABASE_ANON_KEY
  const serviceRoleKey = process.env.SUPABASE_SERVICE_ROLE_KEY
  if (!url || !anonKey || !serviceRoleKey) {
    throw new Error('SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY must all be set')
  }
  return {
    kind: 'remote',
    url,
    anonKey,
    serviceRoleKey,
    jwtSecret: process.env.SUPABASE_JWT_SECRET || undefined,
    emulator: undefined,
    stop: async () => undefined,
  }
}

function emulatorTarget(
  kind: TargetKind,
  emulator: SupabaseEmulator,
  stop: () => Promise<void>,
): SupabaseTarget {
  let stopping: Promise<void> | undefined
  return {
    kind,
    url: emulator.url,
    anonKey: emulator.anonKey,
    serviceRoleKey: emulator.serviceRoleKey,
    jwtSecret: emulator.jwtSecret,
    emulator,
    stop: () => (stopping ??= stop()),
  }
}

/** A fresh database on the DATABASE_URL server, so runs never see each other's data. */
async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL
  if (!base) throw new Error('DATABASE_URL is not set')
  const name = `parley_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base })
      await client.connect()
      try {
        await client.query(`drop database if exists ${name} with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}
