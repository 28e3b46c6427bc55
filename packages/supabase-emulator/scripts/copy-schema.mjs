// `npm run copy-schema`: copies the repository's supabase/migrations and the function folders of
// supabase/functions (the single source of truth) into schema/, which `files` ships, so an
// installed package has Parley's migrations and Edge Functions for `parley-supabase init` and
// for startSupabaseEmulator()'s defaults. Run it before `npm pack` (prepack). Inside the monorepo
// the emulator reads supabase/ directly, so the copy is git-ignored and only matters for a
// tarball. The target is emptied first: a file deleted or renamed in the source must not linger.
import { cpSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const source = fileURLToPath(new URL('../../../supabase/', import.meta.url))
const target = fileURLToPath(new URL('../schema/', import.meta.url))
const migrations = join(source, 'migrations')
// The Supabase CLI's migration name pattern (src/db/apply-migrations.ts uses the same).
const files = readdirSync(migrations).filter((name) => /^[0-9]+_.*\.sql$/.test(name))
if (files.length === 0) {
  process.stderr.write(`copy-schema: no migrations in ${migrations}\n`)
  process.exit(1)
}
rmSync(target, { recursive: true, force: true })
mkdirSync(join(target, 'migrations'), { recursive: true })
for (const name of files.sort()) {
  copyFileSync(join(migrations, name), join(target, 'migrations', name))
}
// Function folders only (names the Supabase CLI serves); not _shared/, dot files, tsconfig.json.
const functions = readdirSync(join(source, 'functions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^[A-Za-z][A-Za-z0-9_-]*$/.test(entry.name))
  .map((entry) => entry.name)
for (const name of functions) {
  cpSync(join(source, 'functions', name), join(target, 'functions', name), {
    recursive: true,
    filter: (path) => !path.split(/[\\/]/).pop().startsWith('.'),
  })
}
process.stdout.write(
  `copy-schema: ${files.length} migrations → schema/migrations, ` +
    `${functions.length} function(s) → schema/functions\n`,
)
