// The consumer pipeline: Parley as an app outside this repository gets it, from npm tarballs.
//   1. builds and `npm pack`s every package (prepack: clean build + publish manifest) into
//      .parley-consumer/tarballs/;
//   2. writes a Vite + React + TypeScript app from tests/consumer/template/ into a directory
//      outside the workspace (os.tmpdir(), so npm neither treats it as a workspace member nor
//      resolves anything from this repository's node_modules);
//   3. installs the tarballs (plain copies: no workspace links, no `source` condition) and the
//      template's registry dependencies, pinned to this repository's package-lock versions;
//   4. checks the install (Node imports every package without vitest, the emulator's bin runs),
//      typechecks the app (`tsc -b`) and builds it (`vite build`), then checks that the service
//      worker precaches the app shell and the Parley worker bundle.
// Each stage is skipped when its inputs are unchanged since the last run (`--force` redoes all).
//
//   node scripts/consumer.mjs                       prepare (npm run test:consumer)
//   node scripts/consumer.mjs serve --port 4381     prepare, then `vite preview` the app
//   node scripts/consumer.mjs emulator --port 54381 prepare, then `parley-supabase init` and
//                                                   `start` from the emulator's tarball
//   node scripts/consumer.mjs lock                  prepare, then refresh the template's lock
//
// Environment: VITE_SUPABASE_URL / VITE_SUPABASE_PUBLISHABLE_KEY (or _ANON_KEY) go into the app's build (default: the
// page's host at port 54321 and the local anon key); PARLEY_CONSUMER_DIR moves the app.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { restore } from './pack-manifest.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const workDir = join(root, '.parley-consumer')
const tarballDir = join(workDir, 'tarballs')
const templateDir = join(root, 'tests', 'consumer', 'template')

/** Where the consumer app lives: outside the workspace, one directory per checkout. */
export const consumerAppDir =
  process.env.PARLEY_CONSUMER_DIR ?? join(tmpdir(), `parley-consumer-${sha(root).slice(0, 10)}`)

/** The packages, dependencies first (the order `npm pack` builds them in). */
const PACKAGES = [
  'core',
  'testing',
  'supabase-emulator',
  'storage-indexeddb',
  'transport-broadcast-channel',
  'transport-supabase',
  'worker',
  'react',
]

function sha(...parts) {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part).update('\0')
  return hash.digest('hex')
}

/** Hash of the files under `dir` (relative paths and contents), skipping build output. */
function hashTree(dir, skip = () => false) {
  const hash = createHash('sha256')
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(current, entry.name)
      if (skip(relative(dir, path))) continue
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile())
        hash.update(relative(dir, path)).update('\0').update(readFileSync(path))
    }
  }
  walk(dir)
  return hash.digest('hex')
}

/** What a package's tarball does not depend on: build output, copies made at pack time, tests. */
const GENERATED = new Set(['dist', 'node_modules', 'schema', '.package.workspace.json'])
const notPacked = (path) => GENERATED.has(path) || /\.test\.tsx?$/.test(path)

function log(message) {
  console.log(`[consumer] ${message}`)
}

/** Runs a command; on failure throws with its whole output. */
function run(cmd, args, options = {}) {
  const started = Date.now()
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: { ...process.env, ...options.env },
  })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
  if (result.status !== 0) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}) in ${options.cwd ?? root}:\n${output}${result.error ? String(result.error) : ''}`,
    )
  }
  return { output, seconds: (Date.now() - started) / 1000 }
}

function readJson(path, fallback) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : fallback
}

function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n')
}

// ── 1. Tarballs ──────────────────────────────────────────────────────────────────────────────

function packInputs() {
  const parts = PACKAGES.map((name) => hashTree(join(root, 'packages', name), notPacked))
  for (const file of ['tsconfig.base.json', 'scripts/pack-manifest.mjs'])
    parts.push(readFileSync(join(root, file)))
  // The emulator ships a copy of both.
  parts.push(hashTree(join(root, 'supabase', 'migrations')))
  parts.push(hashTree(join(root, 'supabase', 'functions')))
  return sha(...parts)
}

function tarballName(name) {
  const { version } = readJson(join(root, 'packages', name, 'package.json'))
  return `parley-${name}-${version}.tgz`
}

function packAll(force) {
  const inputs = packInputs()
  const stampPath = join(tarballDir, 'inputs.json')
  const tarballs = PACKAGES.map((name) => join(tarballDir, tarballName(name)))
  if (!force && readJson(stampPath, {}).inputs === inputs && tarballs.every((t) => existsSync(t))) {
    log('tarballs up to date')
    return tarballs
  }
  rmSync(tarballDir, { recursive: true, force: true })
  mkdirSync(tarballDir, { recursive: true })
  const dirs = PACKAGES.map((name) => join(root, 'packages', name))
  // Every package from scratch in one tsc process (one prepack build per package takes 3× as
  // long); prepack then only swaps in the publish manifest.
  for (const dir of dirs) rmSync(join(dir, 'dist'), { recursive: true, force: true })
  const build = run('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root })
  log(`built ${PACKAGES.length} packages in ${build.seconds.toFixed(1)}s`)
  try {
    const { seconds } = run(
      'npm',
      [
        'pack',
        ...PACKAGES.flatMap((name) => ['--workspace', `packages/${name}`]),
        '--pack-destination',
        tarballDir,
        '--foreground-scripts',
      ],
      { cwd: root, env: { PARLEY_PACK_PREBUILT: '1' } },
    )
    log(`packed ${PACKAGES.length} packages in ${seconds.toFixed(1)}s`)
  } finally {
    // A failed pack can leave a publish manifest in place; put the workspace one back.
    for (const dir of dirs) if (restore(dir)) log(`restored ${relative(root, dir)}/package.json`)
  }
  const missing = tarballs.filter((t) => !existsSync(t))
  if (missing.length > 0) throw new Error(`npm pack did not write ${missing.join(', ')}`)
  writeJson(stampPath, { inputs })
  return tarballs
}

// ── 2–3. The app and its install ─────────────────────────────────────────────────────────────

/** The template's package.json with tarball paths and the repository's locked versions. */
function appManifest(tarballs) {
  const manifest = readJson(join(templateDir, 'package.json'))
  const lock = readJson(join(root, 'package-lock.json')).packages
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (name.startsWith('@parley/')) {
        const tarball = tarballs.find((t) => t.endsWith(`/${tarballName(name.slice(8))}`))
        if (tarball === undefined) throw new Error(`no tarball for ${name}`)
        manifest[field][name] = `file:${tarball}`
      } else {
        // The version this repository installed, so the npm cache already has it.
        const locked = lock[`node_modules/${name}`]?.version
        if (locked !== undefined) manifest[field][name] = locked
      }
    }
  }
  return manifest
}

function install(tarballs, force) {
  mkdirSync(consumerAppDir, { recursive: true })
  if (existsSync(join(consumerAppDir, '..', 'package.json')))
    throw new Error(`${consumerAppDir} has a package.json above it; set PARLEY_CONSUMER_DIR`)
  const manifest = appManifest(tarballs)
  const tarballHashes = tarballs.map((t) => sha(readFileSync(t)))
  const templateLock = join(templateDir, 'package-lock.json')
  const seed = existsSync(templateLock) ? readFileSync(templateLock) : ''
  const key = sha(JSON.stringify(manifest), seed, ...tarballHashes)
  const stamp = readJson(join(consumerAppDir, '.consumer-stamp.json'), {})
  if (!force && stamp.install === key && existsSync(join(consumerAppDir, 'node_modules'))) {
    log(`install up to date (${consumerAppDir})`)
    return key
  }
  writeJson(join(consumerAppDir, 'package.json'), manifest)
  writeFileSync(join(consumerAppDir, '.npmrc'), 'fund=false\naudit=false\nupdate-notifier=false\n')
  // The template's lock pins the registry packages, so a fresh machine (after `npm ci` filled the
  // npm cache) installs without asking the registry for metadata.
  if (seed !== '' && !existsSync(join(consumerAppDir, 'package-lock.json')))
    writeFileSync(join(consumerAppDir, 'package-lock.json'), seed)
  // New tarballs carry the same name and version: drop what the last install recorded of them.
  rmSync(join(consumerAppDir, 'node_modules', '@parley'), { recursive: true, force: true })
  for (const lockPath of ['package-lock.json', 'node_modules/.package-lock.json']) {
    const path = join(consumerAppDir, lockPath)
    const lock = readJson(path, undefined)
    if (lock === undefined) continue
    for (const entry of Object.keys(lock.packages ?? {}))
      if (entry.includes('node_modules/@parley/')) delete lock.packages[entry]
    writeJson(path, lock)
  }
  const { seconds } = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: consumerAppDir,
  })
  log(`installed in ${seconds.toFixed(1)}s`)
  checkInstall()
  writeJson(join(consumerAppDir, '.consumer-stamp.json'), { install: key })
  return key
}

/** Writes the app's lock, without Parley's own packages, to the template (`… consumer.mjs lock`). */
function refreshTemplateLock() {
  const lock = readJson(join(consumerAppDir, 'package-lock.json'))
  const template = readJson(join(templateDir, 'package.json'))
  lock.name = template.name
  lock.packages[''] = { ...lock.packages[''], ...pick(template, ['name', 'version']) }
  for (const field of ['dependencies', 'devDependencies'])
    lock.packages[''][field] = template[field]
  for (const entry of Object.keys(lock.packages))
    if (entry.includes('node_modules/@parley/')) delete lock.packages[entry]
  writeJson(join(templateDir, 'package-lock.json'), lock)
  log(`wrote ${relative(root, join(templateDir, 'package-lock.json'))}`)
}

function pick(object, keys) {
  return Object.fromEntries(keys.filter((k) => k in object).map((k) => [k, object[k]]))
}

/** What an app gets: real copies without src/ or `source`, importable in Node without vitest. */
function checkInstall() {
  const problems = []
  for (const name of PACKAGES) {
    const dir = join(consumerAppDir, 'node_modules', '@parley', name)
    if (!existsSync(dir)) {
      problems.push(`@parley/${name} is not installed`)
      continue
    }
    if (lstatSync(dir).isSymbolicLink()) problems.push(`@parley/${name} is a link, not a copy`)
    if (existsSync(join(dir, 'src'))) problems.push(`@parley/${name} ships src/`)
    if (readFileSync(join(dir, 'package.json'), 'utf8').includes('"source"'))
      problems.push(`@parley/${name}'s exports keep the source condition`)
  }
  if (existsSync(join(consumerAppDir, 'node_modules', 'vitest')))
    problems.push('vitest is installed in the app, so the import check below proves nothing')
  if (problems.length > 0)
    throw new Error(`the installed packages are wrong:\n  ${problems.join('\n  ')}`)
  // Every entry point loads in Node from dist/ (catches missing files and extensionless imports).
  const entries = [
    '@parley/core',
    '@parley/core/ports',
    '@parley/testing',
    '@parley/supabase-emulator',
    '@parley/storage-indexeddb',
    '@parley/transport-broadcast-channel',
    '@parley/transport-supabase',
    '@parley/worker',
    '@parley/worker/host',
    '@parley/worker/client',
    '@parley/react',
  ]
  const script = `for (const entry of ${JSON.stringify(entries)}) await import(entry)`
  run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumerAppDir })
  run(process.execPath, ['node_modules/.bin/parley-supabase', '--help'], { cwd: consumerAppDir })
  log('installed packages check out (copies, no src/, Node imports, emulator bin)')
}

// ── 4. Typecheck, build and the offline shell ────────────────────────────────────────────────

function buildApp(installKey, force) {
  const buildEnv = {
    VITE_SUPABASE_URL: process.env.VITE_SUPABASE_URL ?? '',
    VITE_SUPABASE_ANON_KEY: process.env.VITE_SUPABASE_ANON_KEY ?? '',
    VITE_SUPABASE_PUBLISHABLE_KEY: process.env.VITE_SUPABASE_PUBLISHABLE_KEY ?? '',
  }
  const key = sha(installKey, hashTree(templateDir), JSON.stringify(buildEnv))
  const stampPath = join(consumerAppDir, '.consumer-stamp.json')
  const stamp = readJson(stampPath, {})
  const distDir = join(consumerAppDir, 'dist')
  if (!force && stamp.build === key && existsSync(join(distDir, 'index.html'))) {
    log('app build up to date')
    return distDir
  }
  for (const entry of readdirSync(templateDir)) {
    if (entry === 'package.json') continue
    rmSync(join(consumerAppDir, entry), { recursive: true, force: true })
    cpSync(join(templateDir, entry), join(consumerAppDir, entry), { recursive: true })
  }
  const tsc = run(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], {
    cwd: consumerAppDir,
  })
  log(`tsc -b passed in ${tsc.seconds.toFixed(1)}s`)
  const vite = run(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], {
    cwd: consumerAppDir,
    env: buildEnv,
  })
  log(`vite build passed in ${vite.seconds.toFixed(1)}s`)
  checkServiceWorker(distDir)
  writeJson(stampPath, { ...stamp, build: key })
  return distDir
}

/** The entry chunks and the Parley worker bundle of a build (paths relative to `distDir`). */
export function consumerChunks(distDir = join(consumerAppDir, 'dist')) {
  const assets = readdirSync(join(distDir, 'assets'))
  const html = readFileSync(join(distDir, 'index.html'), 'utf8')
  const entries = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\/?(assets\/[^"]+\.js)"/g)]
    .map((m) => m[1])
    .filter((file, i, all) => all.indexOf(file) === i)
  const workerEntries = assets.filter((f) => /^parley\.worker-.*\.js$/.test(f))
  const workers = withImports(join(distDir, 'assets'), workerEntries).map((f) => `assets/${f}`)
  return { entries, workers, assets: assets.map((f) => `assets/${f}`) }
}

/** `files` and every chunk they import, statically or dynamically (file names in `dir`). */
function withImports(dir, files) {
  const seen = new Set()
  const visit = (file) => {
    if (seen.has(file) || !existsSync(join(dir, file))) return
    seen.add(file)
    const code = readFileSync(join(dir, file), 'utf8')
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["']\.\/([^"']+\.js)["']/g)) visit(m[1])
  }
  files.forEach(visit)
  return [...seen]
}

function checkServiceWorker(distDir) {
  const swPath = join(distDir, 'sw.js')
  if (!existsSync(swPath)) throw new Error('vite build wrote no sw.js')
  const sw = readFileSync(swPath, 'utf8')
  const { entries, workers } = consumerChunks(distDir)
  if (workers.length === 0) throw new Error('no Parley worker bundle (assets/parley.worker-*.js)')
  const missing = ['index.html', ...entries, ...workers].filter((f) => !sw.includes(`"${f}"`))
  if (missing.length > 0)
    throw new Error(`sw.js does not precache ${missing.join(', ')}; its precache list:\n${sw}`)
  log(`sw.js precaches the app shell and ${workers.join(', ')}`)
}

// ── The pipeline, with a lock so two servers started at once do not install twice ────────────

async function withLock(fn) {
  mkdirSync(workDir, { recursive: true })
  const lockDir = join(workDir, 'lock')
  for (;;) {
    try {
      mkdirSync(lockDir)
      writeFileSync(join(lockDir, 'pid'), String(process.pid))
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      const pid = Number(readFileSync(join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }))
      if (pid > 0 && !isAlive(pid)) rmSync(lockDir, { recursive: true, force: true })
      else await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/**
 * Packs, installs, typechecks and builds the consumer app (each stage skipped when its inputs
 * are unchanged, unless `force`; `build: false` stops after the install). Resolves with where
 * the app and its build are.
 */
export function prepareConsumer({ force = false, build = true } = {}) {
  return withLock(() => {
    const started = Date.now()
    const tarballs = packAll(force)
    const installKey = install(tarballs, force)
    // `build: false` (the emulator needs only the install) leaves a build made for other
    // VITE_SUPABASE_* values alone: a server may be serving it.
    const distDir = build ? buildApp(installKey, force) : join(consumerAppDir, 'dist')
    const seconds = (Date.now() - started) / 1000
    log(`ready in ${seconds.toFixed(1)}s: ${build ? distDir : consumerAppDir}`)
    return { appDir: consumerAppDir, distDir, tarballs, seconds }
  })
}

/**
 * Serves the built app with `vite preview` on 127.0.0.1 (`port` 0 is not supported by preview's
 * `--strictPort`; pick one). Resolves once it answers; `close()` stops it.
 */
export async function startConsumerPreview({ port }) {
  const child = spawn(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'preview',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
    ],
    { cwd: consumerAppDir, stdio: 'inherit' },
  )
  const url = `http://127.0.0.1:${port}/`
  const exited = new Promise((resolve) => child.once('exit', resolve))
  for (let i = 0; ; i++) {
    const answered = await globalThis.fetch(url).then(
      (response) => response.ok,
      () => false,
    )
    if (answered) break
    if (child.exitCode !== null || i > 200) {
      child.kill()
      throw new Error(`vite preview did not answer on ${url}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    close: async () => {
      if (child.exitCode === null) child.kill()
      await exited
    },
  }
}

function option(args, name, fallback) {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}

/** Runs a long-lived child in the foreground until it exits or this process is told to stop. */
function foreground(cmd, args, cwd) {
  const child = spawn(cmd, args, { cwd, stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

async function main(args) {
  const [command = 'prepare'] = args.filter((a) => !a.startsWith('--'))
  await prepareConsumer({ force: args.includes('--force'), build: command !== 'emulator' })
  if (command === 'serve') {
    const port = option(args, '--port', '4381')
    foreground(
      process.execPath,
      [
        'node_modules/vite/bin/vite.js',
        'preview',
        '--host',
        '127.0.0.1',
        '--port',
        port,
        '--strictPort',
      ],
      consumerAppDir,
    )
  } else if (command === 'emulator') {
    const port = option(args, '--port', '54381')
    const bin = join('node_modules', '@parley', 'supabase-emulator', 'bin', 'parley-supabase.mjs')
    // What the app's developers do: copy Parley's migrations into ./supabase/, then start.
    run(process.execPath, [bin, 'init'], { cwd: consumerAppDir })
    foreground(process.execPath, [bin, 'start', '--port', port], consumerAppDir)
  } else if (command === 'lock') {
    refreshTemplateLock()
  } else if (command !== 'prepare') {
    throw new Error(
      `unknown command ${command}: prepare | serve [--port N] | emulator [--port N] | lock`,
    )
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`[consumer] ✖ ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
