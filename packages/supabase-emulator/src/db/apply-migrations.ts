// Applies a Supabase CLI `supabase/` folder to a database the way `supabase start` / `db reset`
// does: migrations in version order, each once, recorded in supabase_migrations.schema_migrations;
// then the seed, recorded by hash in supabase_migrations.seed_files so a persistent database is
// not seeded twice (as `supabase db push --include-seed` tracks it).
import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Database } from './database.js'
import { splitSqlStatements } from './split-sql-statements.js'

/** The CLI's migration file name pattern: `<version digits>_<name>.sql`. */
const MIGRATION_FILE = /^([0-9]+)_(.*)\.sql$/

/** One migration file found in a migrations directory. */
export interface MigrationFile {
  version: string
  name: string
  path: string
}

/** Migration files of `dir` in apply order; other files are ignored (the CLI warns and skips). */
export async function listMigrations(dir: string): Promise<MigrationFile[]> {
  const names = await readdir(dir).catch((error: unknown) => {
    if (isNotFound(error)) return []
    throw error
  })
  return names
    .filter((name) => MIGRATION_FILE.test(name))
    .sort()
    .map((file) => {
      const match = MIGRATION_FILE.exec(file) as RegExpExecArray
      return { version: match[1] ?? '', name: match[2] ?? '', path: join(dir, file) }
    })
}

/**
 * Applies the pending migrations of `dir` (e.g. `supabase/migrations`) in order. Each file runs
 * as one implicit transaction together with its history row, so a failing file leaves neither
 * its changes nor a record. Returns the versions applied now. A missing directory applies nothing.
 * Requires the bootstrap (the history table).
 */
export async function applyMigrations(db: Database, dir: string): Promise<string[]> {
  const files = await listMigrations(dir)
  const done = await db.query<{ version: string }>(
    'select version from supabase_migrations.schema_migrations',
  )
  const applied = new Set(done.rows.map((row) => row.version))
  const now: string[] = []
  for (const file of files) {
    if (applied.has(file.version)) continue
    const sql = await readFile(file.path, 'utf8')
    const statements = splitSqlStatements(sql)
    // The newline ends a trailing `--` comment; one simple-protocol batch is one transaction.
    await db.exec(
      `reset all;\n${sql}\n;\ninsert into supabase_migrations.schema_migrations ` +
        `(version, name, statements) values (${literal(file.version)}, ${literal(file.name)}, ` +
        `array[${statements.map(literal).join(', ')}]::text[]);`,
    )
    applied.add(file.version)
    now.push(file.version)
  }
  return now
}

/**
 * Runs a seed file unless the same content was already applied (tracked by SHA-256 in
 * `supabase_migrations.seed_files`); a changed file runs again. Returns whether it ran.
 * A missing file is skipped (`false`).
 */
export async function applySeed(db: Database, file: string): Promise<boolean> {
  const sql = await readFile(file, 'utf8').catch((error: unknown) => {
    if (isNotFound(error)) return undefined
    throw error
  })
  if (sql === undefined) return false
  const hash = createHash('sha256').update(sql).digest('hex')
  const seen = await db.query<{ hash: string }>(
    'select hash from supabase_migrations.seed_files where path = $1',
    [file],
  )
  if (seen.rows[0]?.hash === hash) return false
  await db.exec(
    `reset all;\n${sql}\n;\ninsert into supabase_migrations.seed_files (path, hash) ` +
      `values (${literal(file)}, ${literal(hash)}) ` +
      `on conflict (path) do update set hash = excluded.hash;`,
  )
  return true
}

/** What {@link applyProject} did. */
export interface ApplyProjectResult {
  /** Versions applied by this call. */
  migrations: string[]
  /** Whether `seed.sql` ran. */
  seeded: boolean
}

/**
 * Applies a `supabase/` folder: `migrations/` then `seed.sql` (the CLI's default seed path).
 * Idempotent: a second call applies nothing.
 */
export async function applyProject(db: Database, supabaseDir: string): Promise<ApplyProjectResult> {
  const migrations = await applyMigrations(db, join(supabaseDir, 'migrations'))
  const seeded = await applySeed(db, join(supabaseDir, 'seed.sql'))
  return { migrations, seeded }
}

/** A SQL string literal; safe with standard_conforming_strings (the default since 9.1). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'
}
