// Layout measurement behind docs/LAYOUT.md: raw Yjs (no Parley view), 100k messages of fixed
// 80-character text, comparing the two layouts PERFORMANCE.md allows:
//
//   mapkv   — one Y.Map keyed by message id, plain-object values (an edit replaces the value)
//   chunked — a Y.Array of Y.Arrays holding up to CHUNK plain objects each (append-only; edits and
//             deletes live in separate keyed maps, a delete removes the item from its chunk)
//
// Run: npm run bench -- core-layout
import * as Y from 'yjs'
import { mean, percentile, writeResults, type BenchResult } from './lib/results.js'

const N = Number(process.env.LAYOUT_N ?? 100_000)
const CHUNK = Number(process.env.LAYOUT_CHUNK ?? 1000)
const REMOTE_SAMPLES = 1000
const TEXT =
  'The quick brown fox jumps over the lazy dog while the chat keeps scrolling ever on.'.slice(0, 80)
const AUTHOR = '3b241101-e2bb-4255-8caf-4136c566a962'
const DEVICE = 'dev_Xk2p9QwErTy7uIoP3a'

interface Rec {
  i: string
  a: string
  h: string
  t: string
}

function record(n: number): Rec {
  const ms = 1_700_000_000_000 + n
  return {
    i: `m${n.toString(36).padStart(20, '0')}`,
    a: AUTHOR,
    h: `${ms.toString(16).padStart(12, '0')}-0000-${DEVICE}`,
    t: TEXT,
  }
}

interface Layout {
  name: string
  append(doc: Y.Doc, rec: Rec): void
}

const mapkv: Layout = {
  name: 'mapkv',
  append(doc, rec) {
    doc.getMap('messages').set(rec.i, rec)
  },
}

const chunked: Layout = {
  name: 'chunked',
  append(doc, rec) {
    const chunks = doc.getArray<Y.Array<Rec>>('chunks')
    let last = chunks.length > 0 ? chunks.get(chunks.length - 1) : undefined
    doc.transact(() => {
      if (last === undefined || last.length >= CHUNK) {
        last = new Y.Array<Rec>()
        chunks.insert(chunks.length, [last])
      }
      last.insert(last.length, [rec])
    })
  },
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc
  if (g) {
    g()
    g()
  }
}

function heapUsed(): number {
  gc()
  return process.memoryUsage().heapUsed
}

function measure(layout: Layout): BenchResult[] {
  const doc = new Y.Doc()
  const sizes: number[] = []
  doc.on('update', (u: Uint8Array) => sizes.push(u.length))
  const times: number[] = []
  for (let n = 0; n < N; n++) {
    const rec = record(n)
    const t0 = performance.now()
    layout.append(doc, rec)
    times.push((performance.now() - t0) * 1000)
  }
  const tenth = Math.floor(N / 10)
  const flatness = mean(times.slice(N - tenth)) / mean(times.slice(0, tenth))
  const state = Y.encodeStateAsUpdate(doc)
  const json = JSON.stringify(Array.from({ length: N }, (_, n) => record(n)))

  // Remote appends into a loaded copy.
  const sender = new Y.Doc()
  Y.applyUpdate(sender, state)
  const remoteUpdates: Uint8Array[] = []
  sender.on('update', (u: Uint8Array) => remoteUpdates.push(u))
  for (let n = N; n < N + REMOTE_SAMPLES; n++) layout.append(sender, record(n))
  const receiver = new Y.Doc()
  Y.applyUpdate(receiver, state)
  const remote: number[] = []
  for (const u of remoteUpdates) {
    const t0 = performance.now()
    Y.applyUpdate(receiver, u)
    remote.push((performance.now() - t0) * 1000)
  }

  const loads: number[] = []
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now()
    Y.applyUpdate(new Y.Doc(), state)
    loads.push(performance.now() - t0)
  }
  const before = heapUsed()
  const held = new Y.Doc()
  Y.applyUpdate(held, state)
  const heapMb = (heapUsed() - before) / 1e6
  held.destroy()

  const p = `core.layout.${layout.name}`
  return [
    { id: `${p}.append.p50_us`, value: percentile(times, 50), unit: 'µs' },
    { id: `${p}.append.p99_us`, value: percentile(times, 99), unit: 'µs' },
    { id: `${p}.append.flatness`, value: flatness, unit: '×' },
    { id: `${p}.remote_append.p99_us`, value: percentile(remote, 99), unit: 'µs' },
    { id: `${p}.load_100k.ms`, value: percentile(loads, 50), unit: 'ms' },
    { id: `${p}.heap_100k.mb`, value: heapMb, unit: 'MB' },
    { id: `${p}.update_bytes.per_message`, value: mean(sizes), unit: 'B' },
    { id: `${p}.at_rest_vs_json.ratio`, value: state.length / json.length, unit: '×' },
  ]
}

const results: BenchResult[] = []
for (const layout of [mapkv, chunked]) {
  const r = measure(layout)
  for (const x of r) console.log(`${x.id.padEnd(48)} ${x.value.toFixed(2)} ${x.unit}`)
  results.push(...r)
  gc()
}
writeResults(import.meta.url, results)
