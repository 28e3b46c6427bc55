// `npm run copy-schema`: copies the repository's supabase/migrations (the single source of truth)
// into schema/migrations, which `files` ships, so an installed package has Parley's migrations for
// `parley-supabase init` and for startSupabaseEmulator()'s default. Run it before `npm pack`
// (prepack). Inside the monorepo the emulator reads supabase/migrations directly, so the copy is
// git-ignored and only matters for a tarball. The target is emptied first: a migration deleted or
// renamed in the source must not linger in the package.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const source = fileURLToPath(new URL('../../../supabase/migrations/', import.meta.url))
const target = fileURLToPath(new URL('../schema/migrations/', import.meta.url))
// The Supabase CLI's migration name pattern (src/db/apply-migrations.ts uses the same).
const files = readdirSync(source).filter((name) => /^[0-9]+_.*\.sql$/.test(name))
if (files.length === 0) {
  process.stderr.write(`copy-schema: no migrations in ${source}\n`)
  process.exit(1)
}
rmSync(target, { recursive: true, force: true })
mkdirSync(target, { recursive: true })
for (const name of files.sort()) copyFileSync(join(source, name), join(target, name))
process.stdout.write(`copy-schema: ${files.length} migrations → schema/migrations\n`)
