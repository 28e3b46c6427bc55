// The conversation model at 100k messages, measured through the real ConversationDoc API (so
// every figure includes validation and view maintenance, as users get it). Targets from
// PERFORMANCE.md §9 (T3, T4, T9, T15, T16). Run: npm run bench -- core
import {
  ConversationDoc,
  STORAGE_ORIGIN,
  compactUpdates,
  remoteOrigin,
  type MessageId,
  type UserId,
} from '@parley/core'
import * as Y from 'yjs'
import { mean, percentile, writeResults, type BenchResult } from './lib/results.js'

const N = Number(process.env.CORE_BENCH_N ?? 100_000)
const REMOTE_SAMPLES = 1000
const COMPACT_N = 10_000
const TEXT =
  'The quick brown fox jumps over the lazy dog while the chat keeps scrolling ever on.'.slice(0, 80)
// Realistic sizes: a Supabase user id is a UUID; a device id and message ids are 21–22 chars.
const ALICE = '3b241101-e2bb-4255-8caf-4136c566a962'
const BOB = '9f1c7a52-0d3e-4b8a-a1f2-6c5d4e3b2a10'
const CONVERSATION = '0b7d9a1e-5f3c-4e2a-9d8b-7c6a5e4d3c2b'

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc
  if (!g) throw new Error('run with --expose-gc (npm run bench does)')
  g()
  g()
}

function heapUsed(): number {
  gc()
  return process.memoryUsage().heapUsed
}

function newDoc(user: string, device: string): ConversationDoc {
  return new ConversationDoc({ id: CONVERSATION, user, device, onError: (e) => console.error(e) })
}

const us = (t0: number): number => (performance.now() - t0) * 1000

// ── Warm-up: the first few thousand sends (and remote applies) run before the JIT settles
// (40–70 µs instead of ~10); do them on scratch docs so that flatness compares sizes and p99
// measures steady state, not JIT tiers. ───────────────────────────────────────────────────────
{
  const scratch = newDoc(BOB, 'dev_Warmup')
  const updates: Uint8Array[] = []
  scratch.on('update', ({ update }) => updates.push(update))
  for (let n = 0; n < 5000; n++) scratch.send({ text: TEXT })
  const copy = newDoc(ALICE, 'dev_Warmup2')
  for (const update of updates) copy.applyUpdate(update, remoteOrigin('warmup'))
  const loaded = newDoc(ALICE, 'dev_Warmup3')
  loaded.applyUpdate(scratch.encodeStateAsUpdate(), STORAGE_ORIGIN)
  compactUpdates(updates)
  for (const doc of [scratch, copy, loaded]) doc.close()
}

// ── Local appends ─────────────────────────────────────────────────────────────────────────
const writer = newDoc(ALICE, 'dev_Xk2p9QwErTy7uIoP3a')
const updateSizes: number[] = []
const pending: Uint8Array[] = []
writer.on('update', ({ update }) => {
  updateSizes.push(update.length)
  if (pending.length < COMPACT_N) pending.push(update)
})
// Per-message bytes exclude the member update; the compaction log keeps it (it is the base the
// message updates depend on: a log missing it leaves Yjs with pending structs, quadratic to apply).
writer.addMember(BOB as UserId)
updateSizes.length = 0
const appendUs: number[] = new Array<number>(N)
for (let n = 0; n < N; n++) {
  const t0 = performance.now()
  writer.send({ text: TEXT })
  appendUs[n] = us(t0)
}
const tenth = Math.floor(N / 10)
const flatness = mean(appendUs.slice(N - tenth)) / mean(appendUs.slice(0, tenth))

const state = writer.encodeStateAsUpdate()
// The same messages as plain JSON, in the shape they are stored (one record per message).
const jsonBytes = Buffer.byteLength(
  JSON.stringify(
    writer.lastPage(N).messages.map((m) => ({ i: m.id, a: m.author, h: m.hlc, t: m.text })),
  ),
)
writer.close()

// ── Remote appends into a loaded 100k doc ─────────────────────────────────────────────────
const sender = newDoc(BOB, 'dev_Bq7rT2yUw9ZxCv4nM1')
sender.applyUpdate(state, STORAGE_ORIGIN)
const remoteUpdates: Uint8Array[] = []
sender.on('update', ({ update }) => remoteUpdates.push(update))
for (let n = 0; n < REMOTE_SAMPLES; n++) sender.send({ text: TEXT })
const receiver = newDoc(ALICE, 'dev_Xk2p9QwErTy7uIoP3a')
receiver.applyUpdate(state, STORAGE_ORIGIN)
const peer = remoteOrigin('bob')
const remoteUs: number[] = []
for (const update of remoteUpdates) {
  const t0 = performance.now()
  receiver.applyUpdate(update, peer)
  remoteUs.push(us(t0))
}
if (receiver.size !== N + REMOTE_SAMPLES) throw new Error(`receiver has ${receiver.size} messages`)
sender.close()
receiver.close()
// Baseline in the same run: the same updates into a plain Y.Doc (the machine is shared, so the
// ratio is more telling than absolute times).
const rawReceiver = new Y.Doc()
Y.applyUpdate(rawReceiver, state)
const rawRemoteUs: number[] = []
for (const update of remoteUpdates) {
  const t0 = performance.now()
  Y.applyUpdate(rawReceiver, update)
  rawRemoteUs.push(us(t0))
}
rawReceiver.destroy()

// ── Load (storage → view ready) ───────────────────────────────────────────────────────────
const loadMs: number[] = []
const rawLoadMs: number[] = []
for (let r = 0; r < 5; r++) {
  // Interleaved with the plain-Yjs baseline so both see the same machine load.
  gc()
  const r0 = performance.now()
  Y.applyUpdate(new Y.Doc(), state)
  rawLoadMs.push(performance.now() - r0)
  gc()
  const t0 = performance.now()
  const doc = newDoc(ALICE, 'dev_Xk2p9QwErTy7uIoP3a')
  doc.applyUpdate(state, STORAGE_ORIGIN)
  doc.lastPage(50)
  loadMs.push(performance.now() - t0)
  if (doc.size !== N) throw new Error(`loaded ${doc.size} messages`)
  doc.close()
}

// ── Heap held by a loaded doc (Yjs structures + view index) ───────────────────────────────
const before = heapUsed()
const held = newDoc(ALICE, 'dev_Xk2p9QwErTy7uIoP3a')
held.applyUpdate(state, STORAGE_ORIGIN)
const heapMb = (heapUsed() - before) / 1e6
const firstId = held.lastPage(N).messages[0]?.id as MessageId
held.close()

// ── Compaction of 10k pending single-message updates ──────────────────────────────────────
const compactMs: number[] = []
for (let r = 0; r < 5; r++) {
  const t0 = performance.now()
  const { update, skipped } = compactUpdates(pending)
  compactMs.push(performance.now() - t0)
  if (skipped.length > 0 || update.length === 0) throw new Error('compaction skipped updates')
}

const results: BenchResult[] = [
  { id: 'core.append.p50_us', value: percentile(appendUs, 50), unit: 'µs' },
  { id: 'core.append.p99_us', value: percentile(appendUs, 99), unit: 'µs' },
  { id: 'core.append.flatness', value: flatness, unit: '×' },
  { id: 'core.remote_append.p50_us', value: percentile(remoteUs, 50), unit: 'µs' },
  {
    id: 'core.remote_append.p99_us',
    value: percentile(remoteUs, 99),
    unit: 'µs',
    baseline: { name: 'Y.applyUpdate into a plain Y.Doc', value: percentile(rawRemoteUs, 99) },
  },
  {
    id: 'core.load_100k.ms',
    value: percentile(loadMs, 50),
    unit: 'ms',
    baseline: { name: 'Y.applyUpdate into a plain Y.Doc', value: percentile(rawLoadMs, 50) },
  },
  { id: 'core.heap_100k.mb', value: heapMb, unit: 'MB' },
  { id: 'core.update_bytes.per_message', value: mean(updateSizes), unit: 'B' },
  { id: 'core.at_rest_vs_json.ratio', value: state.length / jsonBytes, unit: '×' },
  { id: 'core.compact_10k.ms', value: percentile(compactMs, 50), unit: 'ms' },
]
for (const r of results) {
  const base = r.baseline ? `  (baseline ${r.baseline.value.toFixed(2)})` : ''
  console.log(`${r.id.padEnd(36)} ${r.value.toFixed(2)} ${r.unit}${base}`)
}
console.log(`(state ${state.length} B, JSON ${jsonBytes} B, first message ${firstId})`)
writeResults(import.meta.url, results)
