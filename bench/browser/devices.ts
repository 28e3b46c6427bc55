// The devices bench page: one browser context = one device, syncing through the Supabase
// emulator. Exposes `globalThis.devices` (see devices-api.ts) for the Playwright driver. It
// connects nothing on load unless the URL says `?watch=<id>&expect=<n>`: then it connects at once
// and records how long the engine takes to show `n` messages (the catch-up measurement starts at
// this page's navigation).
//
// URL: `?server=<url>&anon=<key>[&mode=dedicated][&watch=<id>&expect=<n>&prefix=<p>]`.
import { createClient } from '@supabase/supabase-js'
import { connectSupabaseAuth } from '@parley/transport-supabase'
import { createParleyClient, type ParleyClient } from '@parley/worker/client'
import {
  DEVICES,
  type CatchUpReport,
  type DevicesApi,
  type DevicesWorkerConfig,
  type StatsMessage,
  type TransportCounters,
} from './devices-api.js'

declare global {
  var devices: DevicesApi
}

const params = new URLSearchParams(location.search)
const mode = params.get('mode') === 'dedicated' ? 'dedicated' : 'auto'
const config: DevicesWorkerConfig = {
  server: { url: params.get('server') ?? '', anonKey: params.get('anon') ?? '' },
}
// The worker reads its configuration from its name.
const workerName = JSON.stringify(config)

let client: ParleyClient | undefined
const unsubscribes: (() => void)[] = []
const arrivals: Record<string, number> = {}
let catchUpReport: CatchUpReport | null = null

/** Epoch time in ms with the page's timer precision (5 µs when cross-origin isolated). */
const epochNow = (): number => performance.timeOrigin + performance.now()

function connected(): ParleyClient {
  if (client === undefined) throw new Error('call devices.connect() first')
  if (!authConnected) {
    authConnected = true
    connectSupabaseAuth(client, supabase)
  }
  return client
}

// The page's own Supabase client: the app signs in, and connectSupabaseAuth hands the session
// to the engine.
const supabase = createClient(
  config.server.url || 'http://127.0.0.1:1',
  config.server.anonKey || 'none',
  {
    auth: { storageKey: 'parley-bench-devices-auth' },
  },
)
let authConnected = false

async function signIn(displayName: string): Promise<string> {
  const c = connected()
  const { data, error } = await supabase.auth.signInAnonymously({
    options: { data: { display_name: displayName } },
  })
  if (error !== null || data.user === null) throw error ?? new Error('sign-in returned no user')
  const user = data.user.id
  await c.whenSignedIn(user)
  return user
}

async function connect(): Promise<ParleyClient> {
  client ??= await createParleyClient({
    mode,
    sharedWorker: () =>
      new SharedWorker(new URL('./devices.worker.ts', import.meta.url), {
        type: 'module',
        name: workerName,
      }),
    worker: () =>
      new Worker(new URL('./devices.worker.ts', import.meta.url), {
        type: 'module',
        name: workerName,
      }),
  })
  return client
}

// ── test-only stats hook (see devices.worker.ts) ──────────────────────────────────────────────

const statsChannel = new BroadcastChannel(DEVICES.statsChannel)
let statsRequests = 0

function requestStats(): Promise<TransportCounters | null> {
  const n = ++statsRequests
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 2000)
    statsChannel.onmessage = (event: MessageEvent<StatsMessage>) => {
      if (event.data.type !== 'stats-reply' || event.data.n !== n) return
      clearTimeout(timer)
      resolve(event.data.stats)
    }
    const request: StatsMessage = { type: 'stats-request', n }
    statsChannel.postMessage(request)
  })
}

// ── catch-up on load ─────────────────────────────────────────────────────────────────────────

async function trackCatchUp(id: string, expected: number, prefix: string): Promise<void> {
  const c = await connect()
  const connectedMs = performance.now()
  let firstStateMs = -1
  let firstFromTail = false
  let completeMs = -1
  let updates = 0
  let online = false
  const lastText = `${prefix}${expected - 1}`
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      const syncedMs = performance.now()
      catchUpReport = { connectedMs, firstStateMs, firstFromTail, completeMs, syncedMs, updates }
      resolve()
    }
    unsubscribes.push(
      c.subscribeSyncStatus((status) => {
        online = status.state === 'online' && status.pending === 0
        if (online && completeMs >= 0 && catchUpReport === null) finish()
      }),
      c.subscribeConversation(id, (state) => {
        const now = performance.now()
        updates++
        if (firstStateMs < 0) {
          firstStateMs = now
          firstFromTail = state.fromTail
        }
        if (completeMs >= 0) return
        const newest = state.page.messages.at(-1)?.text
        if (state.unreadCount >= expected && newest === lastText) {
          completeMs = now
          if (online) finish()
        }
      }),
    )
  })
}

const watchId = params.get('watch')
if (watchId !== null) {
  trackCatchUp(watchId, Number(params.get('expect') ?? 0), params.get('prefix') ?? '').catch(
    (error: unknown) => {
      catchUpReport = {
        connectedMs: -1,
        firstStateMs: -1,
        firstFromTail: false,
        completeMs: -1,
        syncedMs: -1,
        updates: 0,
        error: error instanceof Error ? error.message : String(error),
      }
    },
  )
}

// ── the API ──────────────────────────────────────────────────────────────────────────────────

globalThis.devices = {
  isolated: () => globalThis.crossOriginIsolated,
  now: epochNow,

  async connect() {
    const t0 = performance.now()
    await connect()
    return performance.now() - t0
  },

  signIn,

  async create(title) {
    return (await connected().createConversation({ title })).id
  },

  async invite(conversationId) {
    return (await connected().createInvite(conversationId)).code
  },

  async join(code) {
    return (await connected().joinConversation(code)).id
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
          // Newest last: walk back and stop at the first text already seen.
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

  async echo(conversationId, fromPrefix, toPrefix) {
    const c = connected()
    const answered = new Set<string>()
    await new Promise<void>((resolve) => {
      let first = true
      unsubscribes.push(
        c.subscribeConversation(conversationId, (state) => {
          if (first) resolve()
          first = false
          for (const message of state.page.messages) {
            const text = message.text
            if (!text.startsWith(fromPrefix) || answered.has(text)) continue
            answered.add(text)
            void c.send(conversationId, { text: toPrefix + text.slice(fromPrefix.length) })
          }
        }),
      )
    })
  },

  arrivals: () => ({ ...arrivals }),

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

  async sendBatches(conversationId, prefix, n, batch) {
    const c = connected()
    const t0 = performance.now()
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) {
      sends.push(c.send(conversationId, { text: `${prefix}${i}` }))
      if (sends.length === batch) await Promise.all(sends.splice(0))
    }
    await Promise.all(sends)
    return performance.now() - t0
  },

  async sendBurst(conversationId, prefix, n) {
    const c = connected()
    const t0 = performance.now()
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) sends.push(c.send(conversationId, { text: `${prefix}${i}` }))
    await Promise.all(sends)
    return performance.now() - t0
  },

  async syncStatus() {
    const s = await connected().syncStatus()
    return { state: s.state, pending: s.pending, failed: s.failed }
  },

  async count(conversationId, limit) {
    const page = await connected().page(conversationId, { limit })
    return {
      count: page.messages.length,
      first: page.messages[0]?.text ?? '',
      last: page.messages.at(-1)?.text ?? '',
    }
  },

  transportStats: requestStats,

  catchUp: () => catchUpReport,

  async engineRunning() {
    const state = await navigator.locks.query()
    return (state.held ?? []).some((lock) => lock.name === `${DEVICES.hostName}:engine`)
  },

  async disconnect() {
    for (const off of unsubscribes.splice(0)) off()
    await client?.close()
    client = undefined
  },
}

document.getElementById('status')!.textContent = 'devices ready'
