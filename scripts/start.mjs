// `npm start`: the local demo from a fresh clone, no Docker.
//   1. the Supabase emulator on http://127.0.0.1:54321 with its data in .parley-data/ (gitignored);
//   2. the demo app (apps/chat), built with its service worker when the sources changed since the
//      last build, served by `vite preview` (a production build: the service worker and the
//      offline mode only work in a build, not in the dev server) on http://127.0.0.1:5173 or the
//      next free port.
// It prints the line `Parley demo: http://…`, then the emulator's URL and keys. Ctrl-C stops
// everything cleanly.
// Extra arguments go to the emulator CLI (e.g. `npm start -- --port 54330`; `--verbose` also
// prints the emulator's URL and keys and its log). PARLEY_DATA_DIR overrides the data
// directory, PARLEY_DEMO_PORT the app's port.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const root = fileURLToPath(new URL('..', import.meta.url))
const dataDir = process.env.PARLEY_DATA_DIR ?? `${root}.parley-data/supabase`
mkdirSync(dataDir, { recursive: true })

// The emulator is TypeScript; tsx compiles it on the fly (what bin/parley-supabase.mjs does too).
register()
const cli = await import(new URL('../packages/supabase-emulator/src/cli.ts', import.meta.url).href)

const extra = process.argv.slice(2).filter((arg) => arg !== '--')
const verbose = extra.includes('--verbose')
// The emulator's status block and info log are for --verbose; errors always reach stderr.
const io = {
  out: (text) => {
    if (verbose) process.stdout.write(text)
  },
  err: (text) => process.stderr.write(text),
}
// `--dir root`: the repository's supabase/ folder (migrations, seed, config.toml), wherever npm
// was started from; the CLI's default is the working directory, as with `supabase start`.
const session = await cli.runCli(
  ['start', '--dir', root, '--port', '54321', '--data', dataDir, ...extra],
  io,
)
if (!session) process.exit(process.exitCode ?? 1)
const stops = [() => session.stop()]

// ── Demo app ────────────────────────────────────────────────────────────────────────────────
const appDir = join(root, 'apps/chat')
const outDir = join(appDir, 'dist/app')
const stampFile = join(outDir, '.parley-build.json')
const configFile = join(appDir, 'vite.config.ts')

/** Newest modification time under the given files and folders (node_modules skipped). */
function newestMtime(paths) {
  let newest = 0
  const visit = (path) => {
    let stat
    try {
      stat = statSync(path)
    } catch {
      return // A listed path that does not exist (yet) adds nothing.
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'node_modules') visit(join(path, name))
    } else newest = Math.max(newest, stat.mtimeMs)
  }
  paths.forEach(visit)
  return newest
}

// The app talks to the emulator on the page's own host at port 54321 unless told otherwise, so
// only a different emulator URL needs baking into the build.
const env = session.emulator.port === 54321 ? {} : { VITE_SUPABASE_URL: session.emulator.url }
const sources = [
  join(appDir, 'src'),
  join(appDir, 'public'),
  join(appDir, 'index.html'),
  configFile,
  join(root, 'packages'),
  join(root, 'package-lock.json'),
]
const wanted = JSON.stringify({ env, sources: newestMtime(sources) })
let built
try {
  built = readFileSync(stampFile, 'utf8')
} catch {
  built = undefined // Never built.
}

const vite = await import('vite')
try {
  if (built !== wanted) {
    // A child process, so the build's chatter (the service-worker build logs on its own) shows
    // only when it fails.
    const result = spawnSync(
      process.execPath,
      [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', configFile],
      {
        cwd: appDir,
        env: { ...process.env, ...env, PARLEY_CHAT_OUT_DIR: 'dist/app' },
        encoding: 'utf8',
      },
    )
    if (result.status !== 0) {
      throw new Error(
        `vite build failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
      )
    }
    writeFileSync(stampFile, wanted)
  }
  const server = await vite.preview({
    configFile,
    logLevel: 'error',
    build: { outDir },
    preview: {
      host: '127.0.0.1',
      port: Number(process.env.PARLEY_DEMO_PORT ?? 5173),
      strictPort: false,
      open: false,
    },
  })
  stops.push(() => new Promise((resolve) => server.httpServer.close(() => resolve())))
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.preview.port}/`
  process.stdout.write(`Parley demo: ${url}\n`)
  // The local Supabase behind it, for your own code and `supabase-js` (same keys as the CLI's).
  const { emulator } = session
  process.stdout.write(
    `  Supabase emulator: ${emulator.url}\n  publishable key: ${emulator.publishableKey}\n  anon key: ${emulator.anonKey}\n  service_role key: ${emulator.serviceRoleKey}\n  mail (magic links, OTP codes): ${emulator.mailUrl}\n`,
  )
} catch (error) {
  process.stderr.write(
    `The demo app failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  )
  await session.stop()
  process.exit(1)
}

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
