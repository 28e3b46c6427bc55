// The engine end to end in real Chromium: real IndexedDB (Dexie), a real SharedWorker running
// the engine, real tabs talking to it over comlink. Targets from PERFORMANCE.md §9 (T1, T1b, T2,
// T3, T6, T7, T10), each next to y-indexeddb (IndexeddbPersistence) on the same document, measured
// in the same run. Methods and caveats: docs/BENCHMARKS.md. Run: npm run bench -- engine-browser
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright'
import { build, preview } from 'vite'
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs'
import type {
  BenchApi,
  BuildResult,
  LabRequest,
  StoreHydrateResult,
  YHydrateResult,
  YLastPageResult,
} from './browser/bench-api.js'
import { mean, percentile, writeResults, type BenchResult } from './lib/results.js'

declare global {
  var bench: BenchApi
}

const N = Number(process.env.ENGINE_BENCH_N ?? 100_000)
const SMALL = 100
const BIG = `${N / 1000}k`
/** Samples per latency figure that costs a page, a worker or a hydration each. */
const SAMPLES = Number(process.env.ENGINE_BENCH_SAMPLES ?? 25)
/** Samples of the y-indexeddb baseline (each loads the whole 100k doc, ~0.5–1 s). */
const Y_SAMPLES = Number(process.env.ENGINE_BENCH_Y_SAMPLES ?? 10)
const SEND_SAMPLES = 300
const T2T_SAMPLES = 200
const BURST = 10_000
const BURST_100K = 5_000
const PORT = 4327
/** The engine's default `maxOpenConversations`. */
const HOT_SET = 16

const configFile = fileURLToPath(new URL('./browser/vite.config.ts', import.meta.url))
const started = performance.now()
const log = (message: string): void =>
  console.log(
    `[engine-browser ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`,
  )
const fmt = (ms: number): string => ms.toFixed(ms < 10 ? 2 : 1)
const summary = (label: string, samples: readonly number[]): void =>
  log(
    `${label}: p50 ${fmt(percentile(samples, 50))} ms, p95 ${fmt(percentile(samples, 95))} ms, ` +
      `max ${fmt(Math.max(...samples))} ms (n=${samples.length})`,
  )
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// ── page plumbing ─────────────────────────────────────────────────────────────────────────────

async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', (error) => log(`page error: ${error.message}`))
  await page.goto(url)
  await page.waitForFunction(() => globalThis.bench !== undefined)
  return page
}

/** Runs a lab request in the page's lab worker, printing the lab's progress meanwhile. */
async function lab<T>(page: Page, request: LabRequest): Promise<T> {
  let done = false
  const printer = (async () => {
    while (!done) {
      await sleep(1000)
      const lines = await page.evaluate(() => globalThis.bench.labProgress()).catch(() => [])
      for (const line of lines) log(`  lab: ${line}`)
    }
  })()
  try {
    return (await page.evaluate((r) => globalThis.bench.lab(r), request)) as T
  } finally {
    done = true
    await printer
  }
}

/** Waits until no context holds the engine lock (the last engine's worker is gone). */
async function waitEngineGone(page: Page): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (!(await page.evaluate(() => globalThis.bench.engineRunning()))) return
    await sleep(20)
  }
  throw new Error('the previous engine never went away')
}

// ── worker heap through CDP ───────────────────────────────────────────────────────────────────

interface HeapUsage {
  /** V8 heap plus what lives outside it for JS: external strings, ArrayBuffers, Blink objects. */
  usedMb: number
  /** The V8 heap alone (`usedSize`). */
  v8Mb: number
}

/**
 * Heap of a worker after a full GC: attaches to its DevTools target from the browser session
 * (Playwright has no page object for a SharedWorker) and calls Runtime.getHeapUsage.
 */
async function workerHeap(browser: Browser, type: string, urlPart: string): Promise<HeapUsage> {
  const cdp = await browser.newBrowserCDPSession()
  try {
    const { targetInfos } = await cdp.send('Target.getTargets')
    const target = targetInfos.find((t) => t.type === type && t.url.includes(urlPart))
    if (target === undefined) {
      const seen = targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')
      throw new Error(`no ${type} target with ${urlPart} (targets: ${seen})`)
    }
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: target.targetId,
      flatten: false,
    })
    let nextId = 1
    const waiting = new Map<number, (message: { result?: unknown; error?: unknown }) => void>()
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== sessionId) return
      const message = JSON.parse(event.message) as {
        id?: number
        result?: unknown
        error?: unknown
      }
      if (message.id !== undefined) waiting.get(message.id)?.(message)
    })
    const call = async (method: string): Promise<unknown> => {
      const id = nextId++
      const reply = new Promise<{ result?: unknown; error?: unknown }>((resolve) =>
        waiting.set(id, resolve),
      )
      await cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params: {} }),
      })
      const message = await reply
      if (message.error !== undefined)
        throw new Error(`${method}: ${JSON.stringify(message.error)}`)
      return message.result
    }
    await call('HeapProfiler.collectGarbage')
    await call('HeapProfiler.collectGarbage')
    const usage = (await call('Runtime.getHeapUsage')) as {
      usedSize: number
      embedderHeapUsedSize?: number
      backingStorageSize?: number
    }
    await cdp.send('Target.detachFromTarget', { sessionId })
    // Strings decoded by TextDecoder (all of a Yjs doc's strings) are external: their characters
    // are counted in backingStorageSize, not in the V8 heap.
    const used =
      usage.usedSize + (usage.embedderHeapUsedSize ?? 0) + (usage.backingStorageSize ?? 0)
    if (process.env.ENGINE_BENCH_DEBUG) log(`  heap usage ${JSON.stringify(usage)}`)
    return { usedMb: used / 1e6, v8Mb: usage.usedSize / 1e6 }
  } finally {
    await cdp.detach()
  }
}

// ── the run ───────────────────────────────────────────────────────────────────────────────────

log('building the bench page (bench/browser)')
await build({ configFile, logLevel: 'warn' })
const server = await preview({
  configFile,
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port: PORT, strictPort: false },
})
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${PORT}/`
const executablePath = findChromium()
const browser = await chromium.launch({
  headless: true,
  args: CHROMIUM_ARGS,
  ...(executablePath === undefined ? {} : { executablePath }),
})
const results: BenchResult[] = []
try {
  const context = await browser.newContext()
  const driver = await openPage(context, url)
  log(
    `Chromium ${browser.version()}, cross-origin isolated: ${await driver.evaluate(() => globalThis.bench.isolated())}`,
  )

  // ── 1. data: a 100k and a 100-message conversation, written through the Engine ─────────────
  log(`building ${N} + ${SMALL} messages in a worker`)
  const built = await lab<BuildResult>(driver, {
    type: 'build',
    big: N,
    small: SMALL,
    evict: HOT_SET,
    viaEngine: 200,
  })
  log(
    `built in ${(built.buildMs / 1000).toFixed(1)} s: snapshot ${(built.snapshotBytes / 1e6).toFixed(2)} MB + ${built.logRows} log rows`,
  )

  // ── 2. the y-indexeddb baseline on the same document ──────────────────────────────────────
  const yHydrate: number[] = []
  for (let k = 0; k < Y_SAMPLES; k++) {
    yHydrate.push(
      (await lab<YHydrateResult>(driver, { type: 'y-hydrate', name: 'ybench-100k', keep: false }))
        .ms,
    )
  }
  summary(`y-indexeddb whenSynced ${BIG} (running worker)`, yHydrate)
  const yWarm: number[] = []
  for (let k = 0; k < Y_SAMPLES; k++) {
    yWarm.push(
      (await lab<YLastPageResult>(driver, { type: 'y-last-page', name: 'ybench-100k' })).ms,
    )
  }
  summary(`y-indexeddb last 50 of ${BIG} (running worker)`, yWarm)
  const parts: StoreHydrateResult[] = []
  for (let k = 0; k < 5; k++) {
    parts.push(
      await lab<StoreHydrateResult>(driver, { type: 'store-hydrate', conversationId: built.big }),
    )
  }
  const loadMs = percentile(
    parts.map((p) => p.loadMs),
    50,
  )
  const applyMs = percentile(
    parts.map((p) => p.applyMs),
    50,
  )
  log(
    `parley hydrate parts (lab, p50 of 5): Dexie loadDoc ${fmt(loadMs)} ms + model apply ${fmt(applyMs)} ms (${parts[0]?.size} messages)`,
  )

  await lab(driver, { type: 'y-release' })
  const yHeapBase = await workerHeap(browser, 'worker', 'lab.worker')
  await lab(driver, { type: 'y-hydrate', name: 'ybench-100k', keep: true })
  const yHeap = await workerHeap(browser, 'worker', 'lab.worker')
  await lab(driver, { type: 'y-release' })
  log(
    `y-indexeddb worker heap: ${yHeapBase.usedMb.toFixed(1)} MB empty, ${yHeap.usedMb.toFixed(1)} MB with ${N} loaded (V8 heap alone ${yHeap.v8Mb.toFixed(1)} MB)`,
  )

  const yCold: number[] = []
  for (let k = 0; k < Y_SAMPLES; k++) {
    const r = await driver.evaluate(() =>
      globalThis.bench.labCold({ type: 'y-last-page', name: 'ybench-100k' }),
    )
    yCold.push(r.ms)
  }
  summary(`y-indexeddb cold worker → last 50 of ${BIG}`, yCold)
  const ySend = await lab<number[]>(driver, {
    type: 'y-send',
    name: 'ybench-send',
    samples: SEND_SAMPLES,
  })
  summary('y-indexeddb send → IDB committed', ySend)
  const yBurstMs = await lab<number>(driver, { type: 'y-burst', name: 'ybench-send', count: 2000 })
  const yRate = 2000 / (yBurstMs / 1000)
  log(`y-indexeddb 2000 sends durable in ${fmt(yBurstMs)} ms: ${yRate.toFixed(0)} msg/s`)
  await driver.evaluate(() => globalThis.bench.labStop())

  // ── 3. first render with worker boot (T1b) ───────────────────────────────────────────────────
  const cold = { big: [] as number[], small: [] as number[], connect: [] as number[] }
  // k = -1 warms up: the first worker ever started compiles the bundle without a code cache.
  for (let k = -1; k < SAMPLES; k++) {
    for (const which of ['big', 'small'] as const) {
      await waitEngineGone(driver)
      const page = await openPage(context, url)
      const r = await page.evaluate(([id, name]) => globalThis.bench.coldState(id, name), [
        built[which],
        `cold-${k}-${which}`,
      ] as const)
      if (r.count !== 50 && which === 'big') throw new Error(`cold state had ${r.count} messages`)
      if (k >= 0) cold[which].push(r.ms)
      if (k >= 0 && which === 'big') cold.connect.push(r.connectMs)
      await page.close()
    }
    if ((k + 1) % 5 === 0) log(`  cold first render: ${k + 1}/${SAMPLES}`)
  }
  summary(`cold first render ${BIG} (new SharedWorker + engine open + tail)`, cold.big)
  summary('  of which worker boot + engine open', cold.connect)
  summary('cold first render 100', cold.small)

  // ── 4. first render with the worker running (T1) ─────────────────────────────────────────
  await waitEngineGone(driver)
  const anchor = await openPage(context, url)
  await anchor.evaluate(() => globalThis.bench.connect('parley-bench'))
  await anchor.evaluate((ids) => globalThis.bench.touch(ids), built.evict)
  const warm = { big: [] as number[], small: [] as number[], tab: [] as number[] }
  for (let k = -1; k < SAMPLES; k++) {
    for (const which of ['big', 'small'] as const) {
      const id = built[which]
      const page = await openPage(context, url)
      const connectMs = await page.evaluate(() => globalThis.bench.connect('parley-bench'))
      const r = await page.evaluate((id) => globalThis.bench.state(id), id)
      if (!r.fromTail) throw new Error(`${which} was already hydrated`)
      if (k >= 0) warm[which].push(r.ms)
      if (k >= 0 && which === 'big') warm.tab.push(connectMs + r.ms)
      // Let the background hydration finish, then make the conversation cold again.
      await page.evaluate((id) => globalThis.bench.page(id, 1), id)
      await page.evaluate((ids) => globalThis.bench.touch(ids), built.evict)
      await page.close()
    }
    if ((k + 1) % 5 === 0) log(`  warm first render: ${k + 1}/${SAMPLES}`)
  }
  summary(`first render ${BIG} (worker running, conversation cold)`, warm.big)
  summary('first render 100', warm.small)
  summary(`new tab connect + first render ${BIG}`, warm.tab)

  // ── 5. full hydration (T2) ────────────────────────────────────────────────────────────────
  const hydrate: number[] = []
  for (let k = 0; k < SAMPLES; k++) {
    const r = await anchor.evaluate((id) => globalThis.bench.page(id, 50), built.big)
    hydrate.push(r.ms)
    await anchor.evaluate((ids) => globalThis.bench.touch(ids), built.evict)
  }
  summary(`hydrate ${BIG} (tab page() → loadDoc + apply + page)`, hydrate)

  // ── 6. worker heap (T3) ───────────────────────────────────────────────────────────────────
  const heapBase = await workerHeap(browser, 'shared_worker', 'parley.worker')
  await anchor.evaluate((id) => globalThis.bench.page(id, 50), built.big)
  const heap = await workerHeap(browser, 'shared_worker', 'parley.worker')
  log(
    `engine worker heap: ${heapBase.usedMb.toFixed(1)} MB without, ${heap.usedMb.toFixed(1)} MB with the ${N} conversation hydrated (V8 heap alone ${heap.v8Mb.toFixed(1)} MB)`,
  )

  // ── 7. tab to tab (T10) ───────────────────────────────────────────────────────────────────
  const tabB = await openPage(context, url)
  await tabB.evaluate(() => globalThis.bench.connect('parley-bench'))
  await tabB.evaluate((id) => globalThis.bench.watch(id, 't2t-'), built.big)
  await tabB.evaluate(() => globalThis.bench.clockServe())
  const clock = await anchor.evaluate(() => globalThis.bench.clockOffset(100))
  log(
    `clock offset tab B − tab A: ${(clock.offsetMs * 1000).toFixed(0)} µs (best BroadcastChannel RTT ${(clock.rttMs * 1000).toFixed(0)} µs)`,
  )
  const stamps = await anchor.evaluate(([id, n]) => globalThis.bench.sendSeries(id, 't2t-', n, 5), [
    built.big,
    T2T_SAMPLES,
  ] as const)
  await sleep(200)
  const arrivals = await tabB.evaluate(() => globalThis.bench.arrivals())
  const t2t: number[] = []
  stamps.forEach((sentAt, i) => {
    const at = arrivals[`t2t-${i}`]
    if (at !== undefined) t2t.push(at - clock.offsetMs - sentAt)
  })
  if (t2t.length < stamps.length)
    log(`  ${stamps.length - t2t.length} messages never reached tab B`)
  summary('tab A send() → tab B subscription', t2t)

  // ── 8. send → durable (T6) and throughput (T7) ────────────────────────────────────────────
  await anchor.evaluate((id) => globalThis.bench.subscribe(id), built.big)
  const send = await anchor.evaluate(([id, n]) => globalThis.bench.sendSequential(id, n), [
    built.big,
    SEND_SAMPLES,
  ] as const)
  summary(`send → durable, ${BIG} conversation shown in the tab`, send)

  const fresh = await anchor.evaluate(() => globalThis.bench.create('burst'))
  await anchor.evaluate(([id, n]) => globalThis.bench.sendBurst(id, n), [fresh, 2000] as const)
  const rates: number[] = []
  for (let k = 0; k < 3; k++) {
    const ms = await anchor.evaluate(([id, n]) => globalThis.bench.sendBurst(id, n), [
      fresh,
      BURST,
    ] as const)
    rates.push(BURST / (ms / 1000))
  }
  log(
    `concurrent sends into a new conversation: ${rates.map((r) => r.toFixed(0)).join(', ')} msg/s`,
  )
  const ms100k = await anchor.evaluate(([id, n]) => globalThis.bench.sendBurst(id, n), [
    built.big,
    BURST_100K,
  ] as const)
  const rate100k = BURST_100K / (ms100k / 1000)
  log(`concurrent sends into the ${BIG} conversation: ${rate100k.toFixed(0)} msg/s`)

  // ── results ───────────────────────────────────────────────────────────────────────────────
  const y = (value: number) => ({ name: 'y-indexeddb', value })
  const p50 = (s: readonly number[]) => percentile(s, 50)
  const p95 = (s: readonly number[]) => percentile(s, 95)
  results.push(
    {
      id: 'engine.first_render_100k.p50_ms',
      value: p50(warm.big),
      unit: 'ms',
      baseline: y(p50(yWarm)),
    },
    {
      id: 'engine.first_render_100k.p95_ms',
      value: p95(warm.big),
      unit: 'ms',
      baseline: y(p95(yWarm)),
    },
    { id: 'engine.first_render_100.p95_ms', value: p95(warm.small), unit: 'ms' },
    {
      id: 'engine.first_render_ratio_100k_vs_100',
      value: p95(warm.big) / p95(warm.small),
      unit: '×',
    },
    {
      id: 'engine.first_render_ratio_100k_vs_100.p50',
      value: p50(warm.big) / p50(warm.small),
      unit: '×',
    },
    { id: 'engine.first_render_new_tab_100k.p95_ms', value: p95(warm.tab), unit: 'ms' },
    {
      id: 'engine.first_render_cold_100k.p50_ms',
      value: p50(cold.big),
      unit: 'ms',
      baseline: y(p50(yCold)),
    },
    {
      id: 'engine.first_render_cold_100k.p95_ms',
      value: p95(cold.big),
      unit: 'ms',
      baseline: y(p95(yCold)),
    },
    { id: 'engine.first_render_cold_100.p95_ms', value: p95(cold.small), unit: 'ms' },
    { id: 'engine.worker_boot_engine_open.p95_ms', value: p95(cold.connect), unit: 'ms' },
    {
      id: 'engine.hydrate_100k.p50_ms',
      value: p50(hydrate),
      unit: 'ms',
      baseline: y(p50(yHydrate)),
    },
    {
      id: 'engine.hydrate_100k.p95_ms',
      value: p95(hydrate),
      unit: 'ms',
      baseline: y(p95(yHydrate)),
    },
    {
      id: 'engine.hydrate_100k.speedup_vs_y_indexeddb',
      value: p95(yHydrate) / p95(hydrate),
      unit: '×',
    },
    { id: 'engine.hydrate_100k.load_ms', value: loadMs, unit: 'ms' },
    { id: 'engine.hydrate_100k.apply_ms', value: applyMs, unit: 'ms' },
    { id: 'engine.heap_100k.mb', value: heap.usedMb, unit: 'MB', baseline: y(yHeap.usedMb) },
    {
      id: 'engine.heap_100k.delta_mb',
      value: heap.usedMb - heapBase.usedMb,
      unit: 'MB',
      baseline: y(yHeap.usedMb - yHeapBase.usedMb),
    },
    { id: 'engine.send_durable.p50_ms', value: p50(send), unit: 'ms', baseline: y(p50(ySend)) },
    { id: 'engine.send_durable.p95_ms', value: p95(send), unit: 'ms', baseline: y(p95(ySend)) },
    {
      id: 'engine.send_durable.p99_ms',
      value: percentile(send, 99),
      unit: 'ms',
      baseline: y(percentile(ySend, 99)),
    },
    { id: 'engine.sends_per_s', value: p50(rates), unit: 'msg/s', baseline: y(yRate) },
    { id: 'engine.sends_per_s_100k', value: rate100k, unit: 'msg/s', baseline: y(yRate) },
    { id: 'engine.tab_to_tab.p50_ms', value: p50(t2t), unit: 'ms' },
    { id: 'engine.tab_to_tab.p95_ms', value: p95(t2t), unit: 'ms' },
    { id: 'engine.tab_to_tab.p99_ms', value: percentile(t2t, 99), unit: 'ms' },
  )
  log(`mean send ${fmt(mean(send))} ms; done`)
  await context.close()
} finally {
  await browser.close()
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()))
}
for (const r of results) console.log(`${r.id.padEnd(44)} ${r.value.toFixed(3)} ${r.unit}`)
writeResults(import.meta.url, results)
