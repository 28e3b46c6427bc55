import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright'
import { build, preview } from 'vite'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import type { BenchApi, BuildResult } from './bench-api.js'
declare global { var bench: BenchApi }
const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url))
await build({ configFile, logLevel: 'warn', build: { minify: false } })
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 4329 } })
const url = 'http://127.0.0.1:4329/'
const browser = await chromium.launch({ headless: true, args: CHROMIUM_ARGS, executablePath: '/usr/bin/chromium' })
const context = await browser.newContext()
const open = async (): Promise<Page> => { const p = await context.newPage(); await p.goto(url); await p.waitForFunction(() => globalThis.bench !== undefined); return p }
const driver = await open()
await driver.evaluate(() => globalThis.bench.lab({ type: 'build', big: 10, small: 10, evict: 1, batch: 1000 })) as BuildResult
await driver.evaluate(() => globalThis.bench.labStop())
for (const ca of [500, 1e9]) {
  const a = await open()
  await a.evaluate((n) => globalThis.bench.connect('parley-bench?compactAfter=' + n), ca)
  const id = await a.evaluate(() => globalThis.bench.create('x'))
  const rates = []
  for (let k = 0; k < 4; k++) { const ms = await a.evaluate((id) => globalThis.bench.sendBurst(id, 5000), id); rates.push(Math.round(5000 / ms * 1000)) }
  const seq = await a.evaluate((id) => globalThis.bench.sendSequential(id, 200), id)
  seq.sort((x, y) => x - y)
  console.log('compactAfter', ca, 'burst rates', rates, 'seq p50', seq[100]!.toFixed(2), 'p95', seq[190]!.toFixed(2))
  await a.close(); await new Promise((r) => setTimeout(r, 1000))
}
await browser.close(); server.httpServer.close()
