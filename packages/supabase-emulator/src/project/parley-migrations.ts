// Where Parley's own migrations and Edge Functions are, for `init` and for the library's
// defaults. The repository's `supabase/` folder is the single source of truth; a packed package
// carries a copy in `schema/` (made by `npm run copy-schema`, git-ignored). In the repository the
// source wins, so a stale copy left behind by an earlier `npm pack` can never shadow a newer file.
import { existsSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: this file is `src/project/*.ts` or, compiled, `dist/project/*.js`. */
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url))

/** Where `copy-schema` puts the migrations inside the package (and `files` ships them). */
export const PACKAGED_MIGRATIONS_DIR = join(PACKAGE_DIR, 'schema', 'migrations')

/** Where `copy-schema` puts Parley's Edge Functions inside the package. */
export const PACKAGED_FUNCTIONS_DIR = join(PACKAGE_DIR, 'schema', 'functions')

/**
 * The repository's `supabase/` folder when this package is the Parley monorepo's own
 * `packages/supabase-emulator` (checked by layout, not by a guess at a parent folder: an app's
 * `node_modules` may hold the `supabase` CLI package and a folder of that name).
 */
function repositorySupabaseDir(): string | undefined {
  const root = join(PACKAGE_DIR, '..', '..')
  const self = join(root, 'packages', 'supabase-emulator')
  const supabase = join(root, 'supabase')
  if (!existsSync(self) || !existsSync(join(supabase, 'migrations'))) return undefined
  return realpathSync(self) === realpathSync(PACKAGE_DIR) ? supabase : undefined
}

const REPOSITORY_SUPABASE_DIR = repositorySupabaseDir()

/**
 * Whether this package runs inside the Parley monorepo (not from an installed tarball). There
 * the workspace packages are TypeScript sources, found through their `source` export condition.
 */
export const IN_PARLEY_REPOSITORY = REPOSITORY_SUPABASE_DIR !== undefined

/**
 * Parley's migrations (the schema of docs/SCHEMA.md): the repository's `supabase/migrations` when
 * running inside the monorepo, otherwise the copy the package ships in `schema/migrations`.
 * The folder may be missing in a package packed without `copy-schema`; `init` reports that.
 */
export const PARLEY_MIGRATIONS_DIR =
  REPOSITORY_SUPABASE_DIR === undefined
    ? PACKAGED_MIGRATIONS_DIR
    : join(REPOSITORY_SUPABASE_DIR, 'migrations')

/**
 * Parley's Edge Functions (`parley-compact`, the trusted compactor): the repository's
 * `supabase/functions`, otherwise the copy the package ships in `schema/functions`.
 */
export const PARLEY_FUNCTIONS_DIR =
  REPOSITORY_SUPABASE_DIR === undefined
    ? PACKAGED_FUNCTIONS_DIR
    : join(REPOSITORY_SUPABASE_DIR, 'functions')
