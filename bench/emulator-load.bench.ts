// Load on the emulator's Realtime: 200 supabase-js clients (vsn 2.0.0) in 20 private
// conversation channels of 10 members, each client broadcasting 5 messages per second for 60 s
// (EMULATOR_LOAD_SECONDS shortens it). Reports lost messages (should be 0), delivery latency
// percentiles and the emulator's CPU. The emulator runs in a child process (this same file,
// forked) so its CPU use is measured apart from the clients', which are heavy too. Loopback only.
import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import { WebSocket } from 'ws'
import { startSupabaseEmulator } from '@parley/supabase-emulator'
import { percentile, writeResults, type BenchResult } from './lib/results.js'

const CLIENTS = 200
const CHANNELS = 20
const RATE_PER_SECOND = 5
const SECONDS = Number(process.env.EMULATOR_LOAD_SECONDS ?? 60)
/** After the last send, how long stragglers may take before they count as lost. */
const DRAIN_MS = 3_000

/** Parent ⇄ child messages over the fork IPC channel. */
type ChildMessage =
  | { type: 'ready'; url: string; anonKey: string }
  | { type: 'cpu'; userMicros: number; systemMicros: number; wallMs: number }
type ParentMessage = { type: 'cpu-start' } | { type: 'cpu-stop' } | { type: 'stop' }

if (process.env.PARLEY_EMULATOR_LOAD_CHILD === '1') await runEmulatorChild()
else await runBenchmark()

/** The child: one emulator on a free loopback port, reporting its own CPU use on request. */
async function runEmulatorChild(): Promise<void> {
  const emulator = await startSupabaseEmulator({ port: 0, host: '127.0.0.1', database: 'memory' })
  let startCpu = process.cpuUsage()
  let startWall = performance.now()
  const send = (message: ChildMessage) => process.send?.(message)
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu-start') {
      startCpu = process.cpuUsage()
      startWall = performance.now()
    } else if (message.type === 'cpu-stop') {
      const used = process.cpuUsage(startCpu)
      send({
        type: 'cpu',
        userMicros: used.user,
        systemMicros: used.system,
        wallMs: performance.now() - startWall,
      })
    } else {
      void emulator.stop().then(() => process.exit(0))
    }
  })
  send({ type: 'ready', url: emulator.url, anonKey: emulator.anonKey })
}

interface Member {
  index: number
  supabase: SupabaseClient
  channel?: RealtimeChannel
}

async function runBenchmark(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, PARLEY_EMULATOR_LOAD_CHILD: '1' },
  })
  try {
    const ready = await nextMessage(child, 'ready')
    console.log(`[emulator-load] emulator at ${ready.url}; ${CLIENTS} clients, ${SECONDS}s`)
    const members = await signInAll(ready.url, ready.anonKey)
    const groups = await formConversations(members)

    const latencies: number[] = []
    let received = 0
    let duplicates = 0
    const seen = new Set<string>()
    for (const [id, group] of groups) {
      for (const member of group) {
        member.channel = member.supabase
          .channel(`conversation:${id}`, { config: { private: true } })
          .on('broadcast', { event: 'load' }, ({ payload }: { payload: LoadPayload }) => {
            const key = `${member.index}:${payload.from}:${payload.seq}`
            if (seen.has(key)) duplicates += 1
            else {
              seen.add(key)
              received += 1
              latencies.push(performance.now() - payload.sentAt)
            }
          })
        await subscribe(member.channel)
      }
    }
    console.log('[emulator-load] all channels joined; sending')

    child.send({ type: 'cpu-start' } satisfies ParentMessage)
    const clientCpuStart = process.cpuUsage()
    const sendStart = performance.now()
    let sent = 0
    const intervalMs = 1000 / RATE_PER_SECOND
    const endAt = performance.now() + SECONDS * 1000
    await Promise.all(
      members.map(async (member) => {
        // Spread the clients' send instants across one interval.
        await sleep(Math.random() * intervalMs)
        let seq = 0
        while (performance.now() < endAt) {
          const payload: LoadPayload = { from: member.index, seq, sentAt: performance.now() }
          seq += 1
          sent += 1
          void member.channel?.send({ type: 'broadcast', event: 'load', payload })
          await sleep(intervalMs)
        }
      }),
    )
    await sleep(DRAIN_MS)
    child.send({ type: 'cpu-stop' } satisfies ParentMessage)
    const cpu = await nextMessage(child, 'cpu')
    const clientCpu = process.cpuUsage(clientCpuStart)
    const clientWallMs = performance.now() - sendStart

    const groupSize = CLIENTS / CHANNELS
    const expected = sent * (groupSize - 1)
    const lost = expected - received
    const cpuPct = ((cpu.userMicros + cpu.systemMicros) / 1000 / cpu.wallMs) * 100
    console.log(
      `[emulator-load] sent ${sent}, expected ${expected} deliveries, got ${received} ` +
        `(${duplicates} duplicates)`,
    )
    const results: BenchResult[] = [
      { id: 'emulator.load.lost', value: lost, unit: 'messages' },
      { id: 'emulator.load.p50_ms', value: percentile(latencies, 50), unit: 'ms' },
      { id: 'emulator.load.p95_ms', value: percentile(latencies, 95), unit: 'ms' },
      { id: 'emulator.load.p99_ms', value: percentile(latencies, 99), unit: 'ms' },
      { id: 'emulator.load.server_cpu_pct', value: cpuPct, unit: '%' },
      { id: 'emulator.load.deliveries_per_s', value: received / SECONDS, unit: 'msg/s' },
      // Context for the latencies: the 200 clients share this one process.
      {
        id: 'emulator.load.client_cpu_pct',
        value: ((clientCpu.user + clientCpu.system) / 1000 / clientWallMs) * 100,
        unit: '%',
      },
    ]
    console.table(results.map(({ id, value, unit }) => ({ id, value: round(value), unit })))
    writeResults(import.meta.url, results)
    await Promise.all(members.map((member) => member.supabase.removeAllChannels()))
    await Promise.all(members.map((member) => member.supabase.realtime.disconnect()))
  } finally {
    child.send({ type: 'stop' } satisfies ParentMessage)
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

interface LoadPayload {
  from: number
  seq: number
  sentAt: number
}

async function signInAll(url: string, anonKey: string): Promise<Member[]> {
  const members: Member[] = []
  for (let index = 0; index < CLIENTS; index += 1) {
    const supabase = createClient(url, anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never, vsn: '2.0.0' },
    })
    const { data, error } = await supabase.auth.signInAnonymously()
    if (error || !data.session) throw new Error(`sign-in ${index} failed: ${error?.message}`)
    await supabase.realtime.setAuth(data.session.access_token)
    members.push({ index, supabase })
  }
  return members
}

/** Splits the clients into conversations: the first member creates it and invites the rest. */
async function formConversations(members: Member[]): Promise<Map<string, Member[]>> {
  const groups = new Map<string, Member[]>()
  const size = CLIENTS / CHANNELS
  for (let g = 0; g < CHANNELS; g += 1) {
    const group = members.slice(g * size, (g + 1) * size)
    const [owner, ...rest] = group
    if (!owner) throw new Error('empty group')
    const id = randomUUID()
    await check(owner.supabase.rpc('create_conversation', { p_id: id, p_title: `load ${g}` }))
    const invite = await check(owner.supabase.rpc('create_invite', { p_conversation_id: id }))
    for (const member of rest) {
      await check(
        member.supabase.rpc('join_conversation', { p_code: (invite as { code: string }).code }),
      )
    }
    groups.set(id, group)
  }
  return groups
}

async function check<T>(
  call: PromiseLike<{ data: T; error: { message: string } | null }>,
): Promise<T> {
  const { data, error } = await call
  if (error) throw new Error(error.message)
  return data
}

function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve()
      else reject(new Error(`${channel.topic}: ${status} ${error?.message ?? ''}`))
    }),
  )
}

function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message as Extract<ChildMessage, { type: T }>)
    }
    const onExit = (code: number | null) => reject(new Error(`emulator child exited (${code})`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
