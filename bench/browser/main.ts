// The bench page: exposes `globalThis.bench` (see bench-api.ts) for the Playwright driver. Unlike
// the e2e harness it connects nothing on load, so the driver decides when a worker is born.
import { createParleyClient, type ParleyClient } from '@parley/worker/client'
import { BENCH, type BenchApi, type LabReply, type LabRequest } from './bench-api.js'

declare global {
  var bench: BenchApi
}

const BASE_TEXT =
  'The quick brown fox jumps over the lazy dog while the chat keeps scrolling ever on.'
let sentCount = 0
/** 80 characters, each message's own string. */
const text = (): string => `${++sentCount} ${BASE_TEXT}`.slice(0, 80)

let client: ParleyClient | undefined
const unsubscribes: (() => void)[] = []
const arrivals: Record<string, number> = {}
const progressLines: string[] = []

/** Epoch time in ms with the page's timer precision (5 µs when cross-origin isolated). */
const epochNow = (): number => performance.timeOrigin + performance.now()

function connected(): ParleyClient {
  if (client === undefined) throw new Error('call bench.connect() first')
  return client
}

function connectTo(workerName: string): Promise<ParleyClient> {
  return createParleyClient({
    user: BENCH.user,
    mode: 'shared-worker',
    sharedWorker: () =>
      new SharedWorker(new URL('./parley.worker.ts', import.meta.url), {
        type: 'module',
        name: workerName,
      }),
  })
}

// ── lab worker ────────────────────────────────────────────────────────────────────────────────

interface LabHandle {
  worker: Worker
  call(request: LabRequest): Promise<unknown>
}

function startLab(): LabHandle {
  const worker = new Worker(new URL('./lab.worker.ts', import.meta.url), { type: 'module' })
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let next = 0
  worker.onmessage = (event: MessageEvent<LabReply>) => {
    const reply = event.data
    if (reply.type === 'progress') {
      progressLines.push(reply.message)
      return
    }
    const waiter = waiting.get(reply.id)
    waiting.delete(reply.id)
    if (reply.type === 'result') waiter?.resolve(reply.value)
    else waiter?.reject(new Error(reply.message))
  }
  worker.onerror = (event) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(event.message))
    waiting.clear()
  }
  return {
    worker,
    call(request) {
      const id = next++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        worker.postMessage({ id, request })
      })
    },
  }
}

let lab: LabHandle | undefined

// ── clock comparison between tabs ─────────────────────────────────────────────────────────────

type ClockMessage = { type: 'ping'; n: number } | { type: 'pong'; n: number; t: number }
const clockChannel = new BroadcastChannel('parley-bench-clock')

globalThis.bench = {
  isolated: () => globalThis.crossOriginIsolated,

  async connect(workerName) {
    const t0 = performance.now()
    client = await connectTo(workerName)
    return performance.now() - t0
  },

  async state(conversationId) {
    const c = connected()
    const t0 = performance.now()
    const state = await c.conversationState(conversationId)
    const ms = performance.now() - t0
    return { ms, count: state.page.messages.length, fromTail: state.fromTail }
  },

  async coldState(conversationId, workerName) {
    const t0 = performance.now()
    client = await connectTo(workerName)
    const t1 = performance.now()
    const state = await client.conversationState(conversationId)
    const t2 = performance.now()
    return {
      ms: t2 - t0,
      connectMs: t1 - t0,
      count: state.page.messages.length,
      fromTail: state.fromTail,
    }
  },

  async create(title) {
    return (await connected().createConversation({ title })).id
  },

  async page(conversationId, limit) {
    const c = connected()
    const t0 = performance.now()
    const page = await c.page(conversationId, { limit })
    return { ms: performance.now() - t0, count: page.messages.length }
  },

  async touch(conversationIds) {
    const c = connected()
    for (const id of conversationIds) await c.page(id, { limit: 1 })
  },

  async subscribe(conversationId) {
    const c = connected()
    await new Promise<void>((resolve) => {
      let first = true
      unsubscribes.push(
        c.subscribeConversation(conversationId, () => {
          if (first) resolve()
          first = false
        }),
      )
    })
  },

  async sendSequential(conversationId, n) {
    const c = connected()
    const times: number[] = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await c.send(conversationId, { text: text() })
      times.push(performance.now() - t0)
    }
    return times
  },

  async sendBurst(conversationId, n) {
    const c = connected()
    const t0 = performance.now()
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) sends.push(c.send(conversationId, { text: text() }))
    await Promise.all(sends)
    return performance.now() - t0
  },

  async sendSeries(conversationId, prefix, n, gapMs) {
    const c = connected()
    const stamps: number[] = []
    for (let i = 0; i < n; i++) {
      stamps.push(epochNow())
      await c.send(conversationId, { text: `${prefix}${i}` })
      await new Promise((resolve) => setTimeout(resolve, gapMs))
    }
    return stamps
  },

  async watch(conversationId, prefix) {
    const c = connected()
    await new Promise<void>((resolve) => {
      let first = true
      unsubscribes.push(
        c.subscribeConversation(conversationId, (state) => {
          const now = epochNow()
          if (first) resolve()
          first = false
          // Newest first: stop at the first text already seen.
          const messages = state.page.messages
          for (let i = messages.length - 1; i >= 0; i--) {
            const text = messages[i]?.text ?? ''
            if (!text.startsWith(prefix)) continue
            if (arrivals[text] !== undefined) break
            arrivals[text] = now
          }
        }),
      )
    })
  },

  arrivals: () => ({ ...arrivals }),

  clockServe() {
    clockChannel.onmessage = (event: MessageEvent<ClockMessage>) => {
      if (event.data.type === 'ping') {
        clockChannel.postMessage({ type: 'pong', n: event.data.n, t: epochNow() })
      }
    }
  },

  async clockOffset(samples) {
    // NTP-style: the exchange with the shortest round trip bounds the offset most tightly.
    let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY }
    for (let n = 0; n < samples; n++) {
      const t0 = epochNow()
      const remote = await new Promise<number>((resolve) => {
        clockChannel.onmessage = (event: MessageEvent<ClockMessage>) => {
          if (event.data.type === 'pong' && event.data.n === n) resolve(event.data.t)
        }
        clockChannel.postMessage({ type: 'ping', n })
      })
      const t1 = epochNow()
      if (t1 - t0 < best.rttMs) best = { offsetMs: remote - (t0 + t1) / 2, rttMs: t1 - t0 }
    }
    clockChannel.onmessage = null
    return best
  },

  async engineRunning() {
    const state = await navigator.locks.query()
    return (state.held ?? []).some((lock) => lock.name === `${BENCH.hostName}:engine`)
  },

  lab(request) {
    lab ??= startLab()
    return lab.call(request)
  },

  labProgress: () => progressLines.splice(0),

  labStop() {
    lab?.worker.terminate()
    lab = undefined
  },

  async labCold(request) {
    const t0 = performance.now()
    const fresh = startLab()
    try {
      const value = await fresh.call(request)
      return { ms: performance.now() - t0, value }
    } finally {
      fresh.worker.terminate()
    }
  },

  async disconnect() {
    for (const off of unsubscribes.splice(0)) off()
    await client?.close()
    client = undefined
  },
}

document.getElementById('status')!.textContent = 'bench ready'
