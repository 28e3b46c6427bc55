// `npm run bench`: runs every `bench/*.bench.ts` (each in its own Node process, with the
// `source` export condition so packages run from src/), merges their results into
// `bench/results/latest.json` and prints a table. Benchmarks report; they never fail CI.
// `npm run bench -- core emulator` runs only the scripts whose names start with those words.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync, existsSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(benchDir, 'results')
const filters = process.argv.slice(2)
const scripts = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.startsWith(w)))
  .sort()

const all = []
for (const script of scripts) {
  const name = script.replace(/\.bench\.ts$/, '')
  const out = join(resultsDir, `${name}.json`)
  if (existsSync(out)) unlinkSync(out)
  console.log(`\n[bench] ▶ ${script}`)
  const run = spawnSync(
    'npx',
    ['tsx', '--conditions=source', '--expose-gc', join(benchDir, script)],
    {
      stdio: 'inherit',
    },
  )
  if (run.status !== 0) console.error(`[bench] ✖ ${script} exited ${run.status ?? run.signal}`)
  if (existsSync(out)) all.push(...JSON.parse(readFileSync(out, 'utf8')))
}

// Keep figures of scripts not run this time, so a filtered run updates rather than erases.
const latestPath = join(resultsDir, 'latest.json')
const previous =
  existsSync(latestPath) && filters.length > 0 ? JSON.parse(readFileSync(latestPath, 'utf8')) : []
const ids = new Set(all.map((r) => r.id))
const merged = [...previous.filter((r) => !ids.has(r.id)), ...all]
writeFileSync(latestPath, JSON.stringify(merged, null, 2) + '\n')

// How many times better than the baseline: for a rate (…/s) higher is better, otherwise lower.
const advantage = (r) =>
  r.unit.endsWith('/s') ? r.value / r.baseline.value : r.baseline.value / r.value
const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(4))
const rows = merged.map((r) => [
  r.id,
  `${fmt(r.value)} ${r.unit}`,
  r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : '',
  r.baseline && r.value > 0 ? `${fmt(advantage(r))}×` : '',
])
const head = ['id', 'value', 'baseline', 'Parley vs baseline (>1 = better)']
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
console.log('\n' + line(head) + '\n' + widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of rows) console.log(line(row))
console.log(`\n[bench] wrote ${latestPath}`)
