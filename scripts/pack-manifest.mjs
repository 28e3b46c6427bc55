// The `prepack` / `postpack` step of every package under packages/: builds dist/ from scratch
// and swaps in the manifest that goes into the tarball, then puts the workspace manifest back.
//
// Why a swap: the workspace manifest's `exports` carry a `source` condition (tests and Vite run
// on src/ without a build), which must not be published. npm does not rewrite `exports` from
// `publishConfig` (npm 11 ignores the key with "Unknown publishConfig config"), but it does read
// package.json again after `prepack`, both for the file list and for the copy in the tarball.
//
//   node ../../scripts/pack-manifest.mjs prepack    (cwd: the package; npm runs it)
//   node ../../scripts/pack-manifest.mjs postpack
//   node scripts/pack-manifest.mjs restore <dir>…   (puts back manifests an aborted pack left)
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Where the workspace manifest waits while the publish manifest is in place. */
export const BACKUP_NAME = '.package.workspace.json'

/** The manifest as published: no `source` condition, no scripts (they run in the workspace). */
export function publishManifest(manifest) {
  const published = { ...manifest, exports: withoutSource(manifest.exports) }
  delete published.scripts
  return published
}

function withoutSource(exports) {
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return exports
  const out = {}
  for (const [key, value] of Object.entries(exports)) {
    if (key !== 'source') out[key] = withoutSource(value)
  }
  return out
}

/** Every file the manifest points at (`types`, `exports` targets, `bin`), relative to the package. */
function pointedFiles(manifest) {
  const files = new Set()
  const visit = (value) => {
    if (typeof value === 'string') files.add(value)
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit)
  }
  visit(manifest.exports)
  visit(manifest.types)
  visit(manifest.bin)
  return [...files].filter((file) => !file.includes('*'))
}

/** Puts the workspace manifest back if a pack left the publish manifest in place. */
export function restore(dir) {
  const backup = join(dir, BACKUP_NAME)
  if (!existsSync(backup)) return false
  renameSync(backup, join(dir, 'package.json'))
  return true
}

function prepack(dir) {
  restore(dir)
  const manifestPath = join(dir, 'package.json')
  const text = readFileSync(manifestPath, 'utf8')
  const manifest = JSON.parse(text)
  // PARLEY_PACK_PREBUILT=1: the caller has just built every package from scratch in one tsc run
  // (scripts/consumer.mjs does); otherwise build this one from scratch, because tsc -b never
  // deletes the output of a source file that was removed or renamed.
  if (process.env.PARLEY_PACK_PREBUILT !== '1') {
    rmSync(join(dir, 'dist'), { recursive: true, force: true })
    npmRun(dir, 'build', manifest.name)
  }
  // Shipped files the build does not make (the emulator's copy of supabase/migrations).
  if (manifest.scripts?.['pack:assets'] !== undefined) npmRun(dir, 'pack:assets', manifest.name)

  const published = publishManifest(manifest)
  if ((published.files ?? []).some((f) => f === 'src' || f.startsWith('src/')))
    fail(`${manifest.name}: "files" must not publish src/`)
  // npm silently leaves out a `files` entry that does not exist.
  const listed = (published.files ?? []).filter((f) => !f.startsWith('!') && !f.includes('*'))
  const missing = [...pointedFiles(published), ...listed].filter((f) => !existsSync(join(dir, f)))
  if (missing.length > 0) fail(`${manifest.name}: the build did not produce ${missing.join(', ')}`)

  writeFileSync(join(dir, BACKUP_NAME), text)
  writeFileSync(manifestPath, JSON.stringify(published, null, 2) + '\n')
}

function npmRun(dir, script, name) {
  const npm = process.env.npm_execpath
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', script], { cwd: dir, stdio: 'inherit' })
    : spawnSync('npm', ['run', script], { cwd: dir, stdio: 'inherit', shell: true })
  if (result.status !== 0) fail(`${name}: npm run ${script} failed`)
}

function fail(message) {
  console.error(`[pack-manifest] ${message}`)
  process.exit(1)
}

function main([command, ...dirs]) {
  if (command === 'prepack') prepack(process.cwd())
  else if (command === 'postpack') restore(process.cwd())
  else if (command === 'restore') for (const dir of dirs) restore(resolve(dir))
  else fail(`usage: pack-manifest.mjs prepack | postpack | restore <dir>…`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2))
}
