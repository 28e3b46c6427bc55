// `npm start`: the local development stack from a fresh clone, no Docker and no build.
//   1. the Supabase emulator on http://127.0.0.1:54321 with its data in .parley-data/ (gitignored),
//      printing the API URL and keys like `supabase status`;
//   2. (later) the demo app, pointed at that URL — see the marked place below.
// Ctrl-C stops everything cleanly. Extra arguments go to the emulator CLI (e.g. `npm start --
// --port 54330`); PARLEY_DATA_DIR overrides the data directory.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const dataDir = process.env.PARLEY_DATA_DIR ?? `${root}.parley-data/supabase`
mkdirSync(dataDir, { recursive: true })

// The emulator is TypeScript; tsx compiles it on the fly (what bin/parley-supabase.mjs does too).
register()
const cli = await import(new URL('../packages/supabase-emulator/src/cli.ts', import.meta.url).href)

const extra = process.argv.slice(2).filter((arg) => arg !== '--')
const session = await cli.runCli(['start', '--port', '54321', '--data', dataDir, ...extra])
if (!session) process.exit(process.exitCode ?? 1)

// ── Demo app ────────────────────────────────────────────────────────────────────────────────
// When apps/chat exists, start its dev server here with
//   VITE_SUPABASE_URL=session.emulator.url and VITE_SUPABASE_ANON_KEY=session.emulator.anonKey,
// and add its stop function to `stops` so Ctrl-C ends it too.
const stops = [() => session.stop()]

let stopping = false
const onSignal = (signal) => {
  if (stopping) process.exit(130)
  stopping = true
  process.stdout.write(`\n${signal}: stopping…\n`)
  Promise.all(stops.map((stop) => stop())).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`stop failed: ${error instanceof Error ? error.stack : String(error)}\n`)
      process.exit(1)
    },
  )
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
