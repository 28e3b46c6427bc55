// Where Parley's own migrations are, for `init` and for the library's default. The repository's
// `supabase/migrations` is the single source of truth; a packed package carries a copy in
// `schema/migrations` (made by `npm run copy-schema`, git-ignored). In the repository the source
// wins, so a stale copy left behind by an earlier `npm pack` can never shadow a newer migration.
import { existsSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: this file is `src/project/*.ts` or, compiled, `dist/project/*.js`. */
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url))

/** Where `copy-schema` puts the migrations inside the package (and `files` ships them). */
export const PACKAGED_MIGRATIONS_DIR = join(PACKAGE_DIR, 'schema', 'migrations')

/**
 * The repository's `supabase/migrations` when this package is the Parley monorepo's own
 * `packages/supabase-emulator` (checked by layout, not by a guess at a parent folder: an app's
 * `node_modules` may hold the `supabase` CLI package and a folder of that name).
 */
function repositoryMigrationsDir(): string | undefined {
  const root = join(PACKAGE_DIR, '..', '..')
  const self = join(root, 'packages', 'supabase-emulator')
  const migrations = join(root, 'supabase', 'migrations')
  if (!existsSync(self) || !existsSync(migrations)) return undefined
  return realpathSync(self) === realpathSync(PACKAGE_DIR) ? migrations : undefined
}

/**
 * Parley's migrations (the schema of docs/SCHEMA.md): the repository's `supabase/migrations` when
 * running inside the monorepo, otherwise the copy the package ships in `schema/migrations`.
 * The folder may be missing in a package packed without `copy-schema`; `init` reports that.
 */
export const PARLEY_MIGRATIONS_DIR = repositoryMigrationsDir() ?? PACKAGED_MIGRATIONS_DIR
