// Two devices in real Chromium syncing through the Supabase emulator (a child process): two
// browser contexts, each with its own IndexedDB and SharedWorker engine, the live Supabase
// transport (Realtime broadcast) and the durable log (RPCs). Targets from PERFORMANCE.md §9: T12
// (device to device through a local relay), T14 (Realtime events per sender during a burst),
// T15 (bytes per chat message on the wire), and a 10k catch-up. Wire figures are counted on the
// sender's WebSocket through CDP (Network.webSocketFrameSent on the engine worker's target),
// cross-checked with the transport's own counters. Methods: docs/BENCHMARKS.md.
// Run: npm run bench -- engine-devices
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright'
import { build, preview } from 'vite'
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs'
import type { CatchUpReport, DevicesApi, TransportCounters } from './browser/devices-api.js'
import { mean, percentile, writeResults, type BenchResult } from './lib/results.js'

declare global {
  var devices: DevicesApi
}

/** Ports of this bench (the e2e suites use 4317/54330 and 4371/54371). */
const PAGE_PORT = Number(process.env.ENGINE_DEVICES_PAGE_PORT ?? 4337)
const SUPABASE_PORT = Number(process.env.ENGINE_DEVICES_SUPABASE_PORT ?? 54340)
/** Device-to-device samples. */
const D2D_SAMPLES = Number(process.env.ENGINE_DEVICES_SAMPLES ?? 200)
/** Pause after each resolved send: above the transport's 50 ms coalescing window. */
const D2D_GAP_MS = 75
const ECHO_SAMPLES = 50
const ECHO_GAP_MS = 250
const SPLIT_SAMPLES = 100
const CATCH_UP = Number(process.env.ENGINE_DEVICES_CATCH_UP ?? 10_000)
const CATCH_UP_RUNS = Number(process.env.ENGINE_DEVICES_CATCH_UP_RUNS ?? 3)
const CATCH_UP_BATCH = 500
/** Also run the one-row-per-message catch-up (10k sequential sends: about a minute). */
const CATCH_UP_ROWS = process.env.ENGINE_DEVICES_CATCH_UP_ROWS !== '0'
const BURST = 100
/** A typed burst: one message every 10 ms (100 msg/s, PERFORMANCE.md T14). */
const BURST_SPACING_MS = 10
const WIRE_MESSAGES = 100
/** ENGINE_DEVICES_PROFILE=<dir>: CPU-profile both engine workers over the split series. */
const PROFILE = process.env.ENGINE_DEVICES_PROFILE

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const configFile = fileURLToPath(new URL('./browser/vite.config.ts', import.meta.url))
const started = performance.now()
const log = (message: string): void =>
  console.log(
    `[engine-devices ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`,
  )
const fmt = (ms: number): string => ms.toFixed(ms < 10 ? 2 : 1)
const summary = (label: string, samples: readonly number[]): void =>
  log(
    `${label}: p50 ${fmt(percentile(samples, 50))} ms, p95 ${fmt(percentile(samples, 95))} ms, ` +
      `p99 ${fmt(percentile(samples, 99))} ms, max ${fmt(Math.max(...samples))} ms (n=${samples.length})`,
  )
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(everyMs)
  }
}

// ── the emulator, in its own process ──────────────────────────────────────────────────────────

interface Emulator {
  url: string
  anonKey: string
  serviceKey: string
  child: ChildProcess
}

async function startEmulator(port: number): Promise<Emulator> {
  const child = spawn(
    process.execPath,
    [
      // ENGINE_DEVICES_EMULATOR_PROF=<dir> writes a CPU profile of the emulator on exit.
      ...(process.env.ENGINE_DEVICES_EMULATOR_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ENGINE_DEVICES_EMULATOR_PROF}`]
        : []),
      'packages/supabase-emulator/bin/parley-supabase.mjs',
      'start',
      '--port',
      String(port),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const deadline = Date.now() + 60_000
  for (;;) {
    const key = /anon key: (\S+)/.exec(out)?.[1]
    const serviceKey = /service_role key: (\S+)/.exec(out)?.[1]
    if (key !== undefined && serviceKey !== undefined && /listening on/.test(out)) {
      return { url: `http://127.0.0.1:${port}`, anonKey: key, serviceKey, child }
    }
    if (child.exitCode !== null) throw new Error(`the emulator exited:\n${out}`)
    if (Date.now() > deadline) throw new Error(`the emulator did not start:\n${out}`)
    await sleep(100)
  }
}

/** The server's log of a conversation (as the service role): rows, and the newest snapshot's seq. */
async function serverLog(id: string): Promise<{ rows: number; snapshotSeq: number }> {
  const get = async (path: string): Promise<unknown[]> => {
    const res = await fetch(`${emulator.url}/rest/v1/${path}`, {
      headers: { apikey: emulator.serviceKey, authorization: `Bearer ${emulator.serviceKey}` },
    })
    return (await res.json()) as unknown[]
  }
  const last = (await get(
    `conversation_updates?conversation_id=eq.${id}&select=seq&order=seq.desc&limit=1`,
  )) as { seq: number }[]
  const snap = (await get(
    `conversation_snapshots?conversation_id=eq.${id}&select=upto_seq&order=upto_seq.desc&limit=1`,
  )) as { upto_seq: number }[]
  return { rows: Number(last[0]?.seq ?? 0), snapshotSeq: Number(snap[0]?.upto_seq ?? 0) }
}

// ── pages ─────────────────────────────────────────────────────────────────────────────────────

interface Device {
  name: string
  context: BrowserContext
  page: Page
  user: string
}

let pageBase = ''

function deviceUrl(extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ server: emulator.url, anon: emulator.anonKey, ...extra })
  return `${pageBase}devices.html?${query.toString()}`
}

async function openPage(context: BrowserContext, extra: Record<string, string> = {}) {
  const page = await context.newPage()
  page.on('pageerror', (error) => log(`page error: ${error.message}`))
  await page.goto(deviceUrl(extra))
  await page.waitForFunction(() => globalThis.devices !== undefined)
  return page
}

async function newDevice(browser: Browser, name: string): Promise<Device> {
  const context = await browser.newContext()
  const page = await openPage(context)
  await page.evaluate(() => globalThis.devices.connect())
  const user = await page.evaluate((n) => globalThis.devices.signIn(n), name)
  return { name, context, page, user }
}

async function share(a: Device, b: Device, title: string): Promise<string> {
  const id = await a.page.evaluate((t) => globalThis.devices.create(t), title)
  const code = await a.page.evaluate((i) => globalThis.devices.invite(i), id)
  await b.page.evaluate((c) => globalThis.devices.join(c), code)
  return id
}

/** Waits until nothing of `device` holds the engine lock, checking from a page that never connects. */
async function waitEngineGone(context: BrowserContext): Promise<void> {
  const probe = await openPage(context)
  try {
    await until(
      'the engine to stop',
      () => probe.evaluate(() => globalThis.devices.engineRunning()),
      (running) => !running,
      20_000,
      50,
    )
  } finally {
    await probe.close()
  }
}

/**
 * Offset of a page's epoch clock relative to Node's (`timeOrigin + now()`), NTP-style over
 * `page.evaluate`: the exchange with the shortest round trip bounds it most tightly.
 */
async function clockOffset(page: Page, samples = 60): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY }
  for (let i = 0; i < samples; i++) {
    const t0 = performance.timeOrigin + performance.now()
    const remote = await page.evaluate(() => globalThis.devices.now())
    const t1 = performance.timeOrigin + performance.now()
    if (t1 - t0 < best.rttMs) best = { offsetMs: remote - (t0 + t1) / 2, rttMs: t1 - t0 }
  }
  return best
}

// ── the wire, through CDP on the engine worker ────────────────────────────────────────────────

interface WireFrame {
  /** CDP timestamp (s, the browser's monotonic clock: the same for every target). */
  ts: number
  opcode: number
  payloadBytes: number
  /** The payload of a binary frame (empty for text frames). */
  payload: Buffer
}

/** Bytes a client→server WebSocket frame adds to its payload: header, extended length, mask key. */
function clientFrameOverhead(payloadBytes: number): number {
  const length = payloadBytes < 126 ? 0 : payloadBytes < 65_536 ? 2 : 8
  return 2 + length + 4
}

/** A CDP frame payload as bytes (binary frames come base64-encoded, opcode 2). */
function payloadOf(opcode: number, data: string): Buffer {
  return opcode === 2 ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8')
}

interface HttpRequest {
  url: string
  method: string
  /** Request line, headers and body, as sent (HTTP/1.1). */
  bodyBytes: number
  headerBytes: number
  /** Bytes received for the response, headers included (CDP `encodedDataLength`). */
  responseBytes: number
  /** CDP timestamps (s) of the request and of its last byte. */
  startTs: number
  endTs: number
}

/**
 * Records the frames a worker's WebSockets send and receive, and its HTTP requests, by attaching
 * to its DevTools target from the browser session (Playwright has no page object for a
 * SharedWorker) and enabling the Network domain there.
 */
class WorkerWire {
  readonly sent: WireFrame[] = []
  readonly received: WireFrame[] = []
  readonly requests = new Map<string, HttpRequest>()
  #nextId = 1
  readonly #waiting = new Map<number, (message: { result?: unknown; error?: unknown }) => void>()

  private constructor(
    private readonly cdp: CDPSession,
    private readonly sessionId: string,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== this.sessionId) return
      const message = JSON.parse(event.message) as {
        id?: number
        method?: string
        params?: Record<string, unknown>
        result?: unknown
        error?: unknown
      }
      if (message.id !== undefined) this.#waiting.get(message.id)?.(message)
      else if (message.method !== undefined) this.#event(message.method, message.params ?? {})
    })
  }

  /** Attaches to the worker target `targetId`. */
  static async attach(browser: Browser, targetId: string): Promise<WorkerWire> {
    const cdp = await browser.newBrowserCDPSession()
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false })
    const wire = new WorkerWire(cdp, sessionId)
    await wire.call('Network.enable', { maxPostDataSize: 65_536 })
    return wire
  }

  /** Target ids of the devices engine workers (SharedWorker or dedicated) now alive. */
  static async targets(browser: Browser): Promise<string[]> {
    const cdp = await browser.newBrowserCDPSession()
    try {
      const { targetInfos } = await cdp.send('Target.getTargets')
      return targetInfos
        .filter(
          (t) =>
            (t.type === 'shared_worker' || t.type === 'worker') && t.url.includes('devices.worker'),
        )
        .map((t) => t.targetId)
    } finally {
      await cdp.detach()
    }
  }

  async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++
    const reply = new Promise<{ result?: unknown; error?: unknown }>((resolve) =>
      this.#waiting.set(id, resolve),
    )
    await this.cdp.send('Target.sendMessageToTarget', {
      sessionId: this.sessionId,
      message: JSON.stringify({ id, method, params }),
    })
    const message = await reply
    this.#waiting.delete(id)
    if (message.error !== undefined) throw new Error(`${method}: ${JSON.stringify(message.error)}`)
    return message.result
  }

  #event(method: string, params: Record<string, unknown>): void {
    const ts = params.timestamp as number
    if (method === 'Network.webSocketFrameSent' || method === 'Network.webSocketFrameReceived') {
      const response = params.response as { opcode: number; payloadData: string }
      const payload = payloadOf(response.opcode, response.payloadData)
      const frame = {
        ts,
        opcode: response.opcode,
        payloadBytes: payload.byteLength,
        payload: response.opcode === 2 ? payload : Buffer.alloc(0),
      }
      if (method === 'Network.webSocketFrameSent') this.sent.push(frame)
      else this.received.push(frame)
      return
    }
    if (method === 'Network.requestWillBeSent') {
      const request = params.request as {
        url: string
        method: string
        postData?: string
        headers: Record<string, string>
      }
      const url = new URL(request.url)
      // `METHOD path HTTP/1.1`, `Name: value` lines, blank line (Host is not in the CDP map).
      const headerBytes =
        `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`.length +
        Object.entries(request.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 2)
      this.requests.set(params.requestId as string, {
        url: request.url,
        method: request.method,
        bodyBytes: request.postData === undefined ? 0 : Buffer.byteLength(request.postData),
        headerBytes,
        responseBytes: 0,
        startTs: ts,
        endTs: Number.NaN,
      })
      return
    }
    if (method === 'Network.loadingFinished') {
      const request = this.requests.get(params.requestId as string)
      if (request) {
        request.responseBytes = params.encodedDataLength as number
        request.endTs = ts
      }
    }
  }

  async startProfile(): Promise<void> {
    await this.call('Profiler.enable')
    await this.call('Profiler.setSamplingInterval', { interval: 100 })
    await this.call('Profiler.start')
  }

  /** Stops the CPU profile, writes it to `path` and summarises the top self times. */
  async stopProfile(path: string): Promise<string> {
    const { profile } = (await this.call('Profiler.stop')) as { profile: CpuProfile }
    writeFileSync(path, JSON.stringify(profile))
    const byId = new Map(profile.nodes.map((n) => [n.id, n]))
    const self = new Map<string, number>()
    let total = 0
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)?.callFrame
      const dt = (profile.timeDeltas[i] ?? 0) / 1000
      total += dt
      if (frame === undefined) return
      const file = frame.url.split('/').pop() ?? ''
      const key = `${frame.functionName || '(anonymous)'} ${file}`
      self.set(key, (self.get(key) ?? 0) + dt)
    })
    const busy = [...self.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
    const busyMs = busy.reduce((n, [, v]) => n + v, 0)
    return (
      `${busyMs.toFixed(0)} ms busy of ${total.toFixed(0)} ms; ` +
      busy
        .slice(0, 8)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')
    )
  }

  /** Forgets everything recorded so far. */
  reset(): void {
    this.sent.length = 0
    this.received.length = 0
    this.requests.clear()
  }

  async detach(): Promise<void> {
    await this.cdp.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => {})
    await this.cdp.detach()
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[]
  samples: number[]
  timeDeltas: number[]
}

interface FrameTally {
  frames: number
  binary: number
  text: number
  payloadBytes: number
  /** Payload plus WebSocket framing (header, extended length, mask key). */
  wireBytes: number
}

function tally(frames: readonly WireFrame[]): FrameTally {
  const t: FrameTally = { frames: 0, binary: 0, text: 0, payloadBytes: 0, wireBytes: 0 }
  for (const f of frames) {
    t.frames++
    if (f.opcode === 2) t.binary++
    else t.text++
    t.payloadBytes += f.payloadBytes
    t.wireBytes += f.payloadBytes + clientFrameOverhead(f.payloadBytes)
  }
  return t
}

const statsOf = (page: Page): Promise<TransportCounters | null> =>
  page.evaluate(() => globalThis.devices.transportStats())

function statsDelta(a: TransportCounters | null, b: TransportCounters | null): string {
  if (a === null || b === null) return 'transport stats unavailable'
  return (
    `transport stats: ${b.framesSent - a.framesSent} frames / ${b.messagesSent - a.messagesSent} ` +
    `messages / ${b.bytesSent - a.bytesSent} payload bytes sent`
  )
}

// ── the run ───────────────────────────────────────────────────────────────────────────────────

log(`starting the Supabase emulator on port ${SUPABASE_PORT} (child process)`)
const emulator = await startEmulator(SUPABASE_PORT)
log('building the bench pages (bench/browser)')
await build({ configFile, logLevel: 'warn' })
const server = await preview({
  configFile,
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port: PAGE_PORT, strictPort: false },
})
pageBase = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${PAGE_PORT}/`
const executablePath = findChromium()
const browser = await chromium.launch({
  headless: true,
  args: CHROMIUM_ARGS,
  ...(executablePath === undefined ? {} : { executablePath }),
})
const results: BenchResult[] = []
try {
  const alice = await newDevice(browser, 'Alice')
  // Alice's engine worker is the only one alive now: that is the target whose wire is counted.
  const [aliceTarget] = await WorkerWire.targets(browser)
  if (aliceTarget === undefined) throw new Error('no devices.worker target found')
  const bob = await newDevice(browser, 'Bob')
  const bobTarget = (await WorkerWire.targets(browser)).find((t) => t !== aliceTarget)
  if (bobTarget === undefined) throw new Error("no target for Bob's engine worker")
  log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores, shared)`,
  )
  log(
    `Chromium ${browser.version()}, cross-origin isolated: ${await alice.page.evaluate(() => globalThis.devices.isolated())}`,
  )

  // ── 1. device to device (T12) ─────────────────────────────────────────────────────────────
  const live = await share(alice, bob, 'live')
  await bob.page.evaluate((id) => globalThis.devices.watch(id, ''), live)
  // Warm up: both live channels joined, code paths compiled.
  await alice.page.evaluate((id) => globalThis.devices.sendSeries(id, 'warm-', 20, 60), live)
  await until(
    'the warm-up messages at Bob',
    () => bob.page.evaluate(() => globalThis.devices.arrivals()),
    (a) => a['warm-19'] !== undefined,
    20_000,
  )
  const clockA = await clockOffset(alice.page)
  const clockB = await clockOffset(bob.page)
  const offsetBA = clockB.offsetMs - clockA.offsetMs
  log(
    `clock offsets vs Node: Alice ${(clockA.offsetMs * 1000).toFixed(0)} µs (best RTT ${(clockA.rttMs * 1000).toFixed(0)} µs), ` +
      `Bob ${(clockB.offsetMs * 1000).toFixed(0)} µs (best RTT ${(clockB.rttMs * 1000).toFixed(0)} µs): Bob − Alice ${(offsetBA * 1000).toFixed(0)} µs`,
  )
  const stamps = await alice.page.evaluate(
    ([id, n, gap]) => globalThis.devices.sendSeries(id, 'd2d-', n, gap),
    [live, D2D_SAMPLES, D2D_GAP_MS] as const,
  )
  await sleep(1000)
  const arrivals = await bob.page.evaluate(() => globalThis.devices.arrivals())
  const d2d: number[] = []
  const d2dRaw: number[] = []
  stamps.forEach((sentAt, i) => {
    const at = arrivals[`d2d-${i}`]
    if (at === undefined) return
    d2d.push(at - offsetBA - sentAt)
    d2dRaw.push(at - sentAt)
  })
  if (d2d.length < stamps.length) log(`  ${stamps.length - d2d.length} messages never reached Bob`)
  summary('Alice send() → Bob subscription', d2d)
  const slow = d2d.flatMap((ms, i) => (ms > 20 ? [`#${i} ${ms.toFixed(0)}`] : []))
  if (slow.length > 0) log(`  over 20 ms: ${slow.join(', ')}`)
  summary('  uncorrected (same-browser clocks as they are)', d2dRaw)

  // Clock-free cross-check: Bob answers every `ping-i` with `pong-i` as soon as his tab sees it;
  // Alice times the round trip on her own clock. Spaced further apart than the series above, so
  // Bob's delivered receipts (sent 100 ms after an arrival) never hold a pong in his window.
  await bob.page.evaluate((id) => globalThis.devices.echo(id, 'ping-', 'pong-'), live)
  await alice.page.evaluate((id) => globalThis.devices.watch(id, 'pong-'), live)
  const pings = await alice.page.evaluate(
    ([id, n, gap]) => globalThis.devices.sendSeries(id, 'ping-', n, gap),
    [live, ECHO_SAMPLES, ECHO_GAP_MS] as const,
  )
  await sleep(1000)
  const pongs = await alice.page.evaluate(() => globalThis.devices.arrivals())
  const halfRtt: number[] = []
  pings.forEach((sentAt, i) => {
    const at = pongs[`pong-${i}`]
    if (at !== undefined) halfRtt.push((at - sentAt) / 2)
  })
  summary('echo: half of Alice ping → Bob → Alice pong', halfRtt)

  // Where the time goes: the same series with CDP on both engine workers. The frame timestamps
  // (one monotonic clock for every target) split each latency into the relay part (Alice's
  // socket sent the frame → Bob's socket received it: Chromium's network stack, loopback and the
  // emulator) and the rest, which is the engine's (tab → worker → Yjs → transport on Alice's
  // side; frame → apply → tab on Bob's). CDP itself adds a little to both.
  const wireA = await WorkerWire.attach(browser, aliceTarget)
  const wireB = await WorkerWire.attach(browser, bobTarget)
  await sleep(500)
  wireA.reset()
  wireB.reset()
  if (PROFILE) for (const w of [wireA, wireB]) await w.startProfile()
  const splitStamps = await alice.page.evaluate(
    ([id, n, gap]) => globalThis.devices.sendSeries(id, 'split-', n, gap),
    [live, SPLIT_SAMPLES, D2D_GAP_MS] as const,
  )
  await sleep(1000)
  const splitArrivals = await bob.page.evaluate(() => globalThis.devices.arrivals())
  if (PROFILE) {
    for (const [name, w] of [
      ['Alice', wireA],
      ['Bob', wireB],
    ] as const) {
      const top = await w.stopProfile(`${PROFILE}/${name.toLowerCase()}-worker.cpuprofile`)
      log(`  ${name}'s engine worker, self time over the split series: ${top}`)
    }
  }
  // Each message's frame is found by content: the Yjs update holds the text as a varString
  // (length byte + UTF-8), which no other frame contains.
  const carrying = (frames: readonly WireFrame[], text: string): WireFrame | undefined => {
    const needle = Buffer.concat([Buffer.from([Buffer.byteLength(text)]), Buffer.from(text)])
    return frames.find((f) => f.opcode === 2 && f.payload.includes(needle))
  }
  const split = { total: [] as number[], relay: [] as number[], engine: [] as number[] }
  splitStamps.forEach((sentAt, i) => {
    const at = splitArrivals[`split-${i}`]
    const out = carrying(wireA.sent, `split-${i}`)
    const inn = carrying(wireB.received, `split-${i}`)
    if (at === undefined || out === undefined || inn === undefined) return
    const total = at - offsetBA - sentAt
    const relay = (inn.ts - out.ts) * 1000
    split.total.push(total)
    split.relay.push(relay)
    split.engine.push(total - relay)
  })
  if (split.total.length < SPLIT_SAMPLES)
    log(`  split: ${SPLIT_SAMPLES - split.total.length} messages not found on both sockets`)
  summary('split, total (CDP on both workers)', split.total)
  summary('  relay: Alice socket sent → Bob socket received', split.relay)
  summary('  engine: the rest (both ends)', split.engine)
  const rpcs = [...wireA.requests.values(), ...wireB.requests.values()]
  for (const path of [...new Set(rpcs.map((r) => `${r.method} ${new URL(r.url).pathname}`))]) {
    const of = rpcs.filter((r) => `${r.method} ${new URL(r.url).pathname}` === path)
    const ms = of.map((r) => (r.endTs - r.startTs) * 1000).filter((v) => Number.isFinite(v))
    summary(`  HTTP ${path} (${of.length} on both devices)`, ms)
  }
  await wireA.detach()
  await wireB.detach()

  // ── 2. Realtime events during a typed burst (T14) and bytes per message (T15) ─────────────
  const wire = await WorkerWire.attach(browser, aliceTarget)
  await sleep(1000)
  // A steady series of single sends, each alone in its coalescing window: 80-character texts
  // (as in engine-browser), then short ones (`w-<i>`), to show what the text itself costs.
  const steadySeries = async (prefix: string) => {
    await sleep(300)
    wire.reset()
    const before = await statsOf(alice.page)
    const t0 = performance.now()
    await alice.page.evaluate(([id, p, n, gap]) => globalThis.devices.sendSeries(id, p, n, gap), [
      live,
      prefix,
      WIRE_MESSAGES,
      D2D_GAP_MS,
    ] as const)
    await sleep(200)
    const ms = performance.now() - t0
    const after = await statsOf(alice.page)
    const frames = tally(wire.sent)
    const http = [...wire.requests.values()]
    log(
      `steady series of ${WIRE_MESSAGES} single sends (${prefix.length + 2}-char texts) over ${fmt(ms)} ms: ` +
        `${frames.frames} frames sent (${frames.binary} binary, ${frames.text} text), ${frames.wireBytes} bytes with framing ` +
        `(${frames.payloadBytes} payload); ${statsDelta(before, after)}`,
    )
    log(
      `  HTTP meanwhile: ${http.length} requests, ${http.reduce((s, r) => s + r.headerBytes, 0)} header + ` +
        `${http.reduce((s, r) => s + r.bodyBytes, 0)} body bytes up, ` +
        `${http.reduce((s, r) => s + r.responseBytes, 0)} bytes down (${[...new Set(http.map((r) => `${r.method} ${new URL(r.url).pathname}`))].join(', ')})`,
    )
    return { frames, http }
  }
  const steady = await steadySeries(
    `w-${'The quick brown fox jumps over the lazy dog. '.repeat(2).slice(0, 76)}`,
  )
  const steadyShort = await steadySeries('w-')
  const steadyHttp = steady.http

  // A typed burst: 100 messages, one every 10 ms, none awaited before the next.
  await sleep(500)
  wire.reset()
  let before = await statsOf(alice.page)
  const burst = await alice.page.evaluate(
    async ([id, n, spacing]) => {
      const t0 = performance.now()
      const sends: Promise<number>[] = []
      for (let i = 0; i < n; i++) {
        sends.push(globalThis.devices.sendSeries(id, `burst-${i}-`, 1, 0).then(() => 0))
        await new Promise((resolve) => setTimeout(resolve, spacing))
      }
      const lastCall = performance.now() - t0
      await Promise.all(sends)
      return { lastCall, resolved: performance.now() - t0 }
    },
    [live, BURST, BURST_SPACING_MS] as const,
  )
  await sleep(300)
  let after = await statsOf(alice.page)
  const burstFrames = tally(wire.sent)
  const burstSeconds = burst.lastCall / 1000
  const burstTs = wire.sent.map((f) => f.ts * 1000)
  const gaps = burstTs.slice(1).map((t, i) => t - (burstTs[i] as number))
  const maxPerSecond = Math.max(
    ...burstTs.map((t) => burstTs.filter((u) => u >= t && u < t + 1000).length),
  )
  log(
    `  frames span ${fmt((burstTs.at(-1) ?? 0) - (burstTs[0] ?? 0))} ms; gaps between frames: min ${fmt(Math.min(...gaps))} ms, ` +
      `p50 ${fmt(percentile(gaps, 50))} ms; most frames in any 1 s: ${maxPerSecond}`,
  )
  log(
    `typed burst of ${BURST} (one per ${BURST_SPACING_MS} ms, ${fmt(burst.lastCall)} ms from first to last send): ` +
      `${burstFrames.frames} frames sent (${burstFrames.binary} binary), ${(burstFrames.frames / burstSeconds).toFixed(1)} events/s; ${statsDelta(before, after)}`,
  )

  // The same 100 messages in one task: the coalescing window's best case.
  await sleep(500)
  wire.reset()
  before = await statsOf(alice.page)
  await alice.page.evaluate(([id, n]) => globalThis.devices.sendBurst(id, 'instant-', n), [
    live,
    BURST,
  ] as const)
  await sleep(300)
  after = await statsOf(alice.page)
  const instant = tally(wire.sent)
  log(`${BURST} sends in one task: ${instant.frames} frames sent; ${statsDelta(before, after)}`)
  await wire.detach()

  // ── 3. catch-up after 10k messages (T12's sibling: a device back after a while) ───────────
  /**
   * One catch-up: Bob joins a new conversation and closes his page (his engine stops); Alice sends
   * `CATCH_UP` messages in batches of `batch` concurrent sends and waits until her outbox is
   * empty; Bob's page is opened again and reports when all of them are in its view.
   */
  const catchUpRun = async (label: string, batch: number): Promise<CatchUpReport> => {
    const id = await share(alice, bob, `catch-up-${label}`)
    await bob.page.close()
    await waitEngineGone(bob.context)
    const prefix = `k${label}-`
    const sendMs = await alice.page.evaluate(
      ([id, p, n, b]) => globalThis.devices.sendBatches(id, p, n, b),
      [id, prefix, CATCH_UP, batch] as const,
    )
    const pushStart = performance.now()
    await until(
      "Alice's outbox to drain",
      () => alice.page.evaluate(() => globalThis.devices.syncStatus()),
      (s) => s.pending === 0 && s.state === 'online',
      300_000,
      50,
    )
    const rows = await serverLog(id)
    log(
      `catch-up ${label}: Alice sent ${CATCH_UP} (batches of ${batch}) in ${fmt(sendMs)} ms (durable), outbox drained ` +
        `${fmt(performance.now() - pushStart)} ms later; server log ${rows.rows} rows, snapshot up to seq ${rows.snapshotSeq}`,
    )
    await sleep(500)
    bob.page = await openPage(bob.context, { watch: id, expect: String(CATCH_UP), prefix })
    const report = await until(
      'Bob to catch up',
      () => bob.page.evaluate(() => globalThis.devices.catchUp()),
      (r) => r !== null,
      120_000,
      50,
    )
    if (report === null || report.error !== undefined)
      throw new Error(`catch-up failed: ${report?.error}`)
    const check = await bob.page.evaluate(([id, n]) => globalThis.devices.count(id, n), [
      id,
      CATCH_UP * 2,
    ] as const)
    if (check.count !== CATCH_UP || check.first !== `${prefix}0`)
      throw new Error(`Bob holds ${check.count} messages (${check.first} … ${check.last})`)
    log(
      `catch-up ${label}: Bob's page connected at ${fmt(report.connectedMs)} ms, first state ${fmt(report.firstStateMs)} ms ` +
        `(tail: ${report.firstFromTail}), all ${CATCH_UP} in view ${fmt(report.completeMs)} ms, synced ${fmt(report.syncedMs)} ms ` +
        `(${report.updates} state updates)`,
    )
    return report
  }
  const catchUps: CatchUpReport[] = []
  for (let run = 0; run < CATCH_UP_RUNS; run++)
    catchUps.push(await catchUpRun(String(run), CATCH_UP_BATCH))
  // The same with one log row per message: every send awaited before the next, so each is its own
  // commit, outbox entry and server row (as when many devices each sent a few).
  const rowsRun = CATCH_UP_ROWS ? await catchUpRun('rows', 1) : undefined

  // ── results ───────────────────────────────────────────────────────────────────────────────
  const p50 = (s: readonly number[]) => percentile(s, 50)
  results.push(
    { id: 'engine.device_to_device.p50_ms', value: p50(d2d), unit: 'ms' },
    { id: 'engine.device_to_device.p95_ms', value: percentile(d2d, 95), unit: 'ms' },
    { id: 'engine.device_to_device.p99_ms', value: percentile(d2d, 99), unit: 'ms' },
    { id: 'engine.device_to_device.relay.p50_ms', value: p50(split.relay), unit: 'ms' },
    { id: 'engine.device_to_device.relay.p95_ms', value: percentile(split.relay, 95), unit: 'ms' },
    { id: 'engine.device_to_device.engine.p50_ms', value: p50(split.engine), unit: 'ms' },
    {
      id: 'engine.device_to_device.engine.p95_ms',
      value: percentile(split.engine, 95),
      unit: 'ms',
    },
    { id: 'engine.device_to_device.echo_half_rtt.p50_ms', value: p50(halfRtt), unit: 'ms' },
    {
      id: 'engine.device_to_device.echo_half_rtt.p95_ms',
      value: percentile(halfRtt, 95),
      unit: 'ms',
    },
    {
      id: 'engine.catch_up_10k.ms',
      value: p50(catchUps.map((r) => r.syncedMs)),
      unit: 'ms',
    },
    {
      id: 'engine.catch_up_10k.view_ms',
      value: p50(catchUps.map((r) => r.completeMs)),
      unit: 'ms',
    },
    ...(rowsRun === undefined
      ? []
      : [{ id: 'engine.catch_up_10k_rows.ms', value: rowsRun.syncedMs, unit: 'ms' }]),
    {
      id: 'engine.catch_up_10k.connect_ms',
      value: p50(catchUps.map((r) => r.connectedMs)),
      unit: 'ms',
    },
    {
      id: 'engine.realtime_events_per_s_burst',
      value: burstFrames.frames / burstSeconds,
      unit: 'events/s',
    },
    { id: 'engine.realtime_events_burst.count', value: burstFrames.frames, unit: 'events' },
    { id: 'engine.realtime_events_burst.max_in_1s', value: maxPerSecond, unit: 'events' },
    { id: 'engine.realtime_events_instant_100.count', value: instant.frames, unit: 'events' },
    {
      id: 'engine.wire_bytes.per_message',
      value: steady.frames.wireBytes / WIRE_MESSAGES,
      unit: 'B',
    },
    {
      id: 'engine.wire_bytes.per_message_short_text',
      value: steadyShort.frames.wireBytes / WIRE_MESSAGES,
      unit: 'B',
    },
    {
      id: 'engine.wire_bytes.http_per_message',
      value:
        steadyHttp.reduce((s, r) => s + r.headerBytes + r.bodyBytes + r.responseBytes, 0) /
        WIRE_MESSAGES,
      unit: 'B',
    },
  )
  log(
    `mean device to device ${fmt(mean(d2d))} ms; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; done`,
  )
  await alice.context.close()
  await bob.context.close()
} finally {
  await browser.close()
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()))
  emulator.child.kill('SIGTERM')
  await new Promise((resolve) => emulator.child.once('exit', resolve))
}
for (const r of results) console.log(`${r.id.padEnd(44)} ${r.value.toFixed(3)} ${r.unit}`)
writeResults(import.meta.url, results)
