// What Parley costs an app in bytes: the consumer app (tests/consumer/template: Vite + React,
// Parley's worker, supabase-js for the app's own session, a Workbox service worker) built from
// the packed tarballs by scripts/consumer.mjs, then its chunks gzipped. Run: npm run bench -- consumer
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { consumerChunks, prepareConsumer } from '../scripts/consumer.mjs'
import { writeResults, type BenchResult } from './lib/results.js'

// The figures describe the default build (the Supabase URL and key are then read at run time).
delete process.env.VITE_SUPABASE_URL
delete process.env.VITE_SUPABASE_ANON_KEY

const { distDir } = await prepareConsumer()
const { entries, workers } = consumerChunks(distDir)

/** Raw and gzip (zlib level 6, as most servers send it) sizes of files, in kB (1,000 bytes). */
function sizes(files: readonly string[]): { raw: number; gzip: number } {
  let raw = 0
  let gzip = 0
  for (const file of files) {
    const bytes = readFileSync(join(distDir, file))
    raw += bytes.length
    gzip += gzipSync(bytes, { level: 6 }).length
  }
  return { raw: raw / 1000, gzip: gzip / 1000 }
}

const main = sizes(entries)
const worker = sizes(workers)
console.log(`entry chunks: ${entries.join(', ')}`)
console.log(`worker bundle: ${workers.join(', ')}`)
const round = (kb: number): number => Math.round(kb * 10) / 10
const results: BenchResult[] = [
  { id: 'consumer.main_kb_gzip', value: round(main.gzip), unit: 'kB' },
  { id: 'consumer.main_kb', value: round(main.raw), unit: 'kB' },
  { id: 'consumer.worker_kb_gzip', value: round(worker.gzip), unit: 'kB' },
  { id: 'consumer.worker_kb', value: round(worker.raw), unit: 'kB' },
]
for (const r of results) console.log(`${r.id}: ${r.value} ${r.unit}`)
writeResults(import.meta.url, results)
