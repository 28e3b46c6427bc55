// `parley-supabase init`: copies Parley's migrations and Edge Functions into the app's supabase/
// folder (see project/init-project.ts), then says what it wrote and what to do next, locally and
// for a hosted project. Failures are one clear message and exit code 1.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CliIo } from './cli-io.js'
import { displayPath } from './project/discover-project.js'
import { initProject, type InitProjectResult } from './project/init-project.js'
import { parseProjectConfig } from './project/project-config.js'
import { isProjectError } from './project/project-error.js'

/** Options of {@link runInit} (the `init` command's flags). */
export interface CliInitOptions {
  /** App folder. Default: the working directory. */
  dir?: string
  /** Replace differing migrations and function files of the same name. Default `false`. */
  force?: boolean
}

/** Runs `init`; on failure prints why and sets `process.exitCode` to 1. */
export async function runInit(options: CliInitOptions, io: CliIo): Promise<void> {
  let result: InitProjectResult
  try {
    result = await initProject(options)
  } catch (error) {
    if (!isProjectError(error)) throw error
    if (error.code === 'migration_conflict') {
      io.err(
        `parley-supabase init: refusing to overwrite ${error.files.length} file(s) that ` +
          `differ from Parley's:\n${error.files.map((f) => `  ${displayPath(f)}\n`).join('')}` +
          `Nothing was written. Compare them, or run again with --force to replace them with ` +
          `Parley's version.\n`,
      )
    } else {
      io.err(`parley-supabase init: ${error.message}\n`)
    }
    process.exitCode = 1
    return
  }

  const where = displayPath(result.supabaseDir)
  const file = (name: string) => displayPath(join(result.supabaseDir, name))
  const lines = [`parley-supabase init: ${where}/${result.createdSupabaseDir ? ' (created)' : ''}`]
  if (result.createdConfig) lines.push(`  created    ${file('config.toml')}`)
  for (const name of result.copied) lines.push(`  copied     ${file(`migrations/${name}`)}`)
  for (const name of result.overwritten) lines.push(`  replaced   ${file(`migrations/${name}`)}`)
  for (const name of result.unchanged) lines.push(`  unchanged  ${file(`migrations/${name}`)}`)
  const fns = result.functions
  for (const name of fns.copied) lines.push(`  copied     ${file(`functions/${name}`)}`)
  for (const name of fns.overwritten) lines.push(`  replaced   ${file(`functions/${name}`)}`)
  for (const name of fns.unchanged) lines.push(`  unchanged  ${file(`functions/${name}`)}`)
  const changed =
    result.copied.length + result.overwritten.length + fns.copied.length + fns.overwritten.length
  const total = result.copied.length + result.overwritten.length + result.unchanged.length
  const functionNames = [
    ...new Set([...fns.copied, ...fns.overwritten, ...fns.unchanged].map((f) => f.split('/')[0])),
  ]
  lines.push(
    changed === 0 && !result.createdConfig
      ? "Already up to date: Parley's migrations and functions are in place."
      : `Parley's schema: ${total} migrations in ${where}/migrations` +
          (functionNames.length > 0
            ? `; Edge Functions in ${where}/functions: ${functionNames.join(', ')}.`
            : '.'),
  )
  io.out(`${lines.join('\n')}\n`)
  if (!result.createdConfig) await checkExistingConfig(join(result.supabaseDir, 'config.toml'), io)
  io.out(NEXT_STEPS)
}

const NEXT_STEPS = `
Next steps
  Locally (no Docker):
    npx parley-supabase start
      applies ./supabase/migrations then ./supabase/seed.sql, serves ./supabase/functions,
      prints the URL and keys.
  Hosted Supabase project (the Supabase CLI):
    supabase link --project-ref <your-project-ref>
    supabase db push        (add --include-all if the project already has newer migrations)
    supabase functions deploy parley-compact   (the trusted compactor; snapshots need it)
  Then, in the hosted project's dashboard:
    Authentication → Providers: enable the sign-in methods your app uses
      (Anonymous sign-ins too, if your app signs users in anonymously)
    Authentication → URL Configuration: add your app's URL to the redirect URLs (magic links)
    Realtime → Settings: turn off "Allow public access" (Parley uses private channels only)
`

/** Warns when the app's own config.toml is one `parley-supabase start` would refuse. */
async function checkExistingConfig(configFile: string, io: CliIo): Promise<void> {
  try {
    parseProjectConfig(await readFile(configFile, 'utf8'), configFile)
  } catch (error) {
    if (!isProjectError(error)) throw error
    io.err(
      `\nparley-supabase init: warning: \`parley-supabase start\` cannot read your config.toml ` +
        `yet: ${error.message}\n`,
    )
  }
}
