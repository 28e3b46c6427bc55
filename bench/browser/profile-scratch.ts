// TEMPORARY profiling scratch (deleted before the report).
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright'
import { build, preview } from 'vite'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import type { BenchApi, BuildResult } from './bench-api.js'
declare global { var bench: BenchApi }
const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url))
const N = Number(process.env.N ?? 20000)
const which = (process.env.WHAT ?? 'burst,hydrate,t2t,send').split(',')
await build({ configFile, logLevel: 'warn', build: { minify: false } })
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 4329 } })
const url = 'http://127.0.0.1:4329/'
const browser = await chromium.launch({ headless: true, args: CHROMIUM_ARGS, executablePath: '/usr/bin/chromium' })
const context = await browser.newContext()
const open = async (): Promise<Page> => { const p = await context.newPage(); await p.goto(url); await p.waitForFunction(() => globalThis.bench !== undefined); return p }

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; hitCount?: number }
async function attach(browser: Browser, type: string, part: string) {
  const cdp = await browser.newBrowserCDPSession()
  const { targetInfos } = await cdp.send('Target.getTargets')
  const t = targetInfos.find((x) => x.type === type && x.url.includes(part))!
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })
  let next = 1
  const waiting = new Map<number, (m: { result?: unknown }) => void>()
  cdp.on('Target.receivedMessageFromTarget', (e) => { const m = JSON.parse(e.message); if (m.id) waiting.get(m.id)?.(m) })
  const call = async (method: string, params = {}) => { const id = next++; const r = new Promise<{ result?: unknown }>((res) => waiting.set(id, res)); await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }); return (await r).result }
  return call
}
function report(name: string, profile: { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }) {
  writeFileSync(`/tmp/${name}.cpuprofile`, JSON.stringify(profile))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((s, i) => selfUs.set(s, (selfUs.get(s) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)))
  const key = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`
  const self = new Map<string, number>(); const incl = new Map<string, number>()
  const total = (id: number, stack: Set<string>): number => {
    const n = byId.get(id)!; let t = selfUs.get(id) ?? 0
    const k = key(n); self.set(k, (self.get(k) ?? 0) + t)
    const inner = new Set(stack); inner.add(k)
    for (const c of n.children ?? []) t += total(c, inner)
    if (!stack.has(k)) incl.set(k, (incl.get(k) ?? 0) + t)
    return t
  }
  total(profile.nodes[0]!.id, new Set())
  const all = profile.endTime - profile.startTime
  console.log(`\n=== ${name}: ${(all / 1000).toFixed(0)} ms profiled`)
  console.log('-- self top 25'); [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`))
  console.log('-- inclusive top 40'); [...incl].sort((a, b) => b[1] - a[1]).slice(0, 40).forEach(([k, v]) => console.log(`${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`))
}
const driver = await open()
const built = (await driver.evaluate((n) => globalThis.bench.lab({ type: 'build', big: n, small: 100, evict: 16, batch: 1000 }), N)) as BuildResult
console.log('built', (built.buildMs / 1000).toFixed(1), 's')
await driver.evaluate(() => globalThis.bench.labStop())
const a = await open()
await a.evaluate(() => globalThis.bench.connect('parley-bench'))
await a.evaluate((ids) => globalThis.bench.touch(ids), built.evict)
const call = await attach(browser, 'shared_worker', 'parley.worker')
await call('Profiler.enable'); await call('Profiler.setSamplingInterval', { interval: 100 })
const prof = async (name: string, body: () => Promise<unknown>) => {
  await call('Profiler.start'); const t0 = performance.now(); const r = await body(); const ms = performance.now() - t0
  const { profile } = (await call('Profiler.stop')) as { profile: Parameters<typeof report>[1] }
  console.log(name, 'took', ms.toFixed(1), 'ms', JSON.stringify(r)); report(name, profile)
}
if (which.includes('hydrate')) await prof('hydrate', () => a.evaluate((id) => globalThis.bench.page(id, 50), built.big))
if (which.includes('burst')) {
  await a.evaluate((id) => globalThis.bench.page(id, 50), built.big)
  await prof('burst', () => a.evaluate((id) => globalThis.bench.sendBurst(id, 3000), built.big))
}
if (which.includes('t2t')) {
  const b = await open(); await b.evaluate(() => globalThis.bench.connect('parley-bench')); await b.evaluate((id) => globalThis.bench.watch(id, 't2t-'), built.big)
  await prof('t2t', () => a.evaluate((id) => globalThis.bench.sendSeries(id, 't2t-', 100, 5), built.big))
}
if (which.includes('send')) await prof('send', () => a.evaluate((id) => globalThis.bench.sendSequential(id, 200), built.big))
await browser.close(); server.httpServer.close()
