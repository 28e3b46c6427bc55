// Chooses the driver for a database spec and prepares the database the way a fresh Supabase
// project is prepared (the bootstrap), so callers only ever see a ready Database.
import { bootstrapDatabase } from './bootstrap.js'
import type { Database } from './database.js'
import { createPgliteDatabase } from './pglite-database.js'
import { createPostgresDatabase } from './postgres-database.js'

/** Where the data lives: embedded PGlite in memory or in a directory, or a Postgres server. */
export type DatabaseSpec = 'memory' | { dir: string } | { url: string }

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Run the idempotent Supabase bootstrap (roles, `auth`, `realtime`…). Default `true`. */
  bootstrap?: boolean
  /** Errors with no caller to reject (server connections dropping). Default: ignored. */
  onError?: (error: unknown) => void
}

/**
 * Opens a {@link Database}: `'memory'` = PGlite in memory (gone on close), `{ dir }` = PGlite
 * persisted in that directory, `{ url }` = a Postgres server (pool of 10). Bootstraps by default.
 */
export async function openDatabase(
  spec: DatabaseSpec,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const db =
    spec === 'memory'
      ? await createPgliteDatabase()
      : 'dir' in spec
        ? await createPgliteDatabase({ dataDir: spec.dir })
        : await createPostgresDatabase({
            url: spec.url,
            ...(options.onError ? { onError: options.onError } : {}),
          })
  if (options.bootstrap ?? true) {
    try {
      await bootstrapDatabase(db)
    } catch (error) {
      await db.close()
      throw error
    }
  }
  return db
}
