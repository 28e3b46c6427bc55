// Shared plumbing for benchmarks: every `bench/*.bench.ts` script records its figures through
// `writeResults`, and `bench/run.mjs` merges them into `bench/results/latest.json`.
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One measured figure, as stored in `bench/results/latest.json`. */
export interface BenchResult {
  /** Stable id, e.g. `core.append.p99_us`. */
  id: string
  value: number
  unit: string
  /** The anchor measured on the same data in the same run, when one exists. */
  baseline?: { name: string; value: number }
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

/** Writes one benchmark script's results to `bench/results/<name>.json` for the runner to merge. */
export function writeResults(scriptUrl: string, results: BenchResult[]): void {
  mkdirSync(resultsDir, { recursive: true })
  const name = basename(fileURLToPath(scriptUrl)).replace(/\.bench\.ts$/, '')
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(results, null, 2) + '\n')
}

/** The p-th percentile (0–100) of samples, by nearest rank on a sorted copy. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

/** Arithmetic mean of samples. */
export function mean(samples: readonly number[]): number {
  return samples.reduce((a, b) => a + b, 0) / samples.length
}
