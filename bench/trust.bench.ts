// What trust costs per chat message, in a Chromium worker (where the engine runs): an Ed25519
// signature (WebCrypto, non-extractable key), its verification, and the rules (`checkUpdate`)
// against a 1,000-message document — each next to Y.applyUpdate of the same update, measured in
// the same worker in the same run. Goal (issue 11): sign and verify ≤ 100 µs at p95. The page is
// cross-origin isolated (5 µs timers). Methods: docs/BENCHMARKS.md. Run: npm run bench -- trust
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import { build, preview } from 'vite'
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs'
import type { TrustBenchApi } from './browser/trust-api.js'
import { percentile, writeResults, type BenchResult } from './lib/results.js'

declare global {
  var trustBench: TrustBenchApi
}

const SAMPLES = Number(process.env.TRUST_BENCH_SAMPLES ?? 2000)
const PORT = 4347
const configFile = fileURLToPath(new URL('./browser/vite.config.ts', import.meta.url))

await build({ configFile, logLevel: 'warn' })
const server = await preview({
  configFile,
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port: PORT, strictPort: false },
})
const base = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${PORT}/`
const executablePath = findChromium()
const browser = await chromium.launch({
  headless: true,
  args: CHROMIUM_ARGS,
  ...(executablePath === undefined ? {} : { executablePath }),
})
const results: BenchResult[] = []
try {
  const page = await browser.newPage()
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`))
  await page.goto(new URL('trust.html', base).href)
  await page.waitForFunction(() => globalThis.trustBench !== undefined)
  if (
    !(await page.evaluate(
      () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated,
    ))
  ) {
    console.log('warning: the page is not cross-origin isolated (100 µs timers)')
  }
  const t = await page.evaluate((n) => globalThis.trustBench.run(n), SAMPLES)
  const apply = (p: number) => ({
    name: 'Y.applyUpdate (same update)',
    value: percentile(t.apply, p),
  })
  for (const [name, samples] of [
    ['sign', t.sign],
    ['verify', t.verify],
    ['check', t.check],
  ] as const) {
    for (const p of [50, 95, 99]) {
      results.push({
        id: `trust.${name}.p${p}_us`,
        value: percentile(samples, p),
        unit: 'µs',
        baseline: apply(p),
      })
    }
  }
  results.push({ id: 'trust.update_bytes', value: t.updateBytes, unit: 'B' })
  console.log(
    `per ${t.updateBytes}-byte message update, n=${SAMPLES}: ` +
      ['sign', 'verify', 'check', 'apply']
        .map((k) => {
          const s = t[k as 'sign']
          return `${k} p50 ${percentile(s, 50).toFixed(0)} µs p95 ${percentile(s, 95).toFixed(0)} µs`
        })
        .join('; '),
  )
} finally {
  await browser.close()
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()))
}
for (const r of results) console.log(`${r.id.padEnd(28)} ${r.value.toFixed(1)} ${r.unit}`)
writeResults(import.meta.url, results)
