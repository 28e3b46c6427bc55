/** Records the operations of one fuzz seed, so a failure can show what led to it. */
export interface FuzzTrace {
  /** The seed being run. */
  readonly seed: number
  /**
   * Records one operation. Objects are written as JSON (byte arrays as `<N bytes>`); keep
   * entries short, one operation each.
   */
  log(op: string | object): void
  /** The last `count` entries (all kept entries when omitted), oldest first. */
  lines(count?: number): string[]
  /** How many entries were logged in total, including those no longer kept. */
  readonly length: number
}

/** Options of {@link runFuzz}. */
export interface RunFuzzOptions {
  /** A name for the property under test, shown in failures. */
  name: string
  /**
   * How many seeds to run (seeds `firstSeed`, `firstSeed + 1`, …). The `FUZZ_SEEDS` environment
   * variable overrides it; default 100 when neither is set.
   */
  seeds?: number
  /** The first seed. Default 1. */
  firstSeed?: number
  /** Runs one seed; throws (or rejects) when the property does not hold. */
  run: (seed: number, trace: FuzzTrace) => Promise<void> | void
  /**
   * Known limits kept visible, TinyBase style: seeds that are expected to fail, with the reason.
   * Such a seed failing is counted, not reported; such a seed passing fails the run, so the list
   * is pruned when the limit is fixed.
   */
  expectedFailures?: Readonly<Record<number, string>>
  /** How many trace entries a failure shows. Default 40. */
  traceLines?: number
  /** How many trace entries are kept per seed (older ones are discarded). Default 2,000. */
  keepLines?: number
  /**
   * Time limit per seed in real milliseconds, so a hung seed is reported with its number. Uses
   * the real `setTimeout` even under fake timers. Default 30,000; 0 disables it.
   */
  seedTimeoutMs?: number
  /**
   * The test file for the replay command. Default: the current Vitest test file, when known.
   */
  testFile?: string
}

/** What a completed {@link runFuzz} did. */
export interface FuzzReport {
  name: string
  /** The seeds that ran, in order. */
  seeds: number[]
  /** Seeds listed in `expectedFailures` that failed as expected. */
  expectedFailures: number[]
}

/** Error codes of {@link FuzzFailureError}. */
export type FuzzFailureCode = 'seed-failed' | 'seed-timeout' | 'expected-failure-passed'

/** A fuzz seed failed; the message carries the seed, a replay command and the trace tail. */
export class FuzzFailureError extends Error {
  override readonly name = 'FuzzFailureError'
  constructor(
    readonly code: FuzzFailureCode,
    readonly seed: number,
    /** The replay command line. */
    readonly replay: string,
    /** The trace tail shown in the message. */
    readonly trace: readonly string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Whether `value` is a {@link FuzzFailureError}. */
export function isFuzzFailureError(value: unknown): value is FuzzFailureError {
  return value instanceof FuzzFailureError
}

// Captured at load so a test that installs fake timers cannot freeze the per-seed time limit.
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

/**
 * Runs a seeded property for many seeds and fails on the first seed that breaks it, with the seed,
 * the command that replays it alone and the last operations of its trace. Call it inside a
 * Vitest `it` (give that test a timeout that fits the seed count).
 *
 * Environment: `FUZZ_SEED=<n>` runs only seed n; `FUZZ_SEEDS=<n>` sets the seed count.
 *
 * @example
 * it('replicas converge', () =>
 *   runFuzz({ name: 'convergence', seeds: 200, run: async (seed, trace) => { ... } }))
 */
export async function runFuzz(options: RunFuzzOptions): Promise<FuzzReport> {
  const env = readEnv()
  const single = parseSeedEnv(env.FUZZ_SEED, 'FUZZ_SEED')
  const count = parseSeedEnv(env.FUZZ_SEEDS, 'FUZZ_SEEDS') ?? options.seeds ?? 100
  const first = options.firstSeed ?? 1
  const seeds = single !== undefined ? [single] : Array.from({ length: count }, (_, i) => first + i)
  const expected = options.expectedFailures ?? {}
  const report: FuzzReport = { name: options.name, seeds: [], expectedFailures: [] }
  const test = await currentTest()
  const testFile = options.testFile ?? test.file
  const testName = test.name

  for (const seed of seeds) {
    const trace = createTrace(seed, options.keepLines ?? 2_000)
    const replay = replayCommand(seed, testFile, testName)
    report.seeds.push(seed)
    const outcome = await runSeed(options, seed, trace)
    const reason = expected[seed]
    if (outcome.ok && reason !== undefined) {
      throw failure(
        'expected-failure-passed',
        options,
        seed,
        replay,
        trace,
        `passed but is listed as an expected failure (${reason}); remove it from expectedFailures`,
      )
    }
    if (!outcome.ok && reason === undefined) {
      const code = outcome.timedOut ? 'seed-timeout' : 'seed-failed'
      throw failure(code, options, seed, replay, trace, describe(outcome.error), outcome.error)
    }
    if (!outcome.ok) report.expectedFailures.push(seed)
  }
  return report
}

type SeedOutcome = { ok: true } | { ok: false; error: unknown; timedOut: boolean }

async function runSeed(
  options: RunFuzzOptions,
  seed: number,
  trace: FuzzTrace,
): Promise<SeedOutcome> {
  const limit = options.seedTimeoutMs ?? 30_000
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<SeedOutcome>((resolve) => {
    if (limit > 0) {
      timer = realSetTimeout(
        () =>
          resolve({
            ok: false,
            timedOut: true,
            error: new Error(`seed did not settle within ${limit} ms`),
          }),
        limit,
      )
    }
  })
  const attempt = (async (): Promise<SeedOutcome> => {
    try {
      await options.run(seed, trace)
      return { ok: true }
    } catch (error) {
      return { ok: false, error, timedOut: false }
    }
  })()
  try {
    return await Promise.race([attempt, timeout])
  } finally {
    if (timer !== undefined) realClearTimeout(timer)
  }
}

function failure(
  code: FuzzFailureCode,
  options: RunFuzzOptions,
  seed: number,
  replay: string,
  trace: FuzzTrace,
  detail: string,
  cause?: unknown,
): FuzzFailureError {
  const tail = trace.lines(options.traceLines ?? 40)
  const skipped = trace.length - tail.length
  const message = [
    `fuzz "${options.name}" failed at seed ${seed}: ${detail}`,
    `replay: ${replay}`,
    `last ${tail.length} of ${trace.length} operations${skipped > 0 ? ` (${skipped} earlier omitted)` : ''}:`,
    ...tail.map((line) => `  ${line}`),
  ].join('\n')
  return new FuzzFailureError(
    code,
    seed,
    replay,
    tail,
    message,
    cause === undefined ? undefined : { cause },
  )
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

function createTrace(seed: number, keep: number): FuzzTrace {
  const kept: string[] = []
  let total = 0
  return {
    seed,
    log(op) {
      total++
      kept.push(typeof op === 'string' ? op : stringify(op))
      // Trim in chunks so a long run stays linear.
      if (kept.length > keep * 2) kept.splice(0, kept.length - keep)
    },
    lines(count) {
      const from = Math.max(0, kept.length - Math.min(count ?? keep, keep))
      return kept.slice(from)
    },
    get length() {
      return total
    },
  }
}

function stringify(value: object): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`
      if (typeof v === 'bigint') return `${v}n`
      return v
    })
  } catch (error) {
    // A cyclic or otherwise unserialisable entry must not break the run it documents.
    return `<unloggable: ${describe(error)}>`
  }
}

function readEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  return proc?.env ?? {}
}

function parseSeedEnv(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`)
  return value
}

/** The running Vitest test, named in the replay command. */
async function currentTest(): Promise<{ file?: string; name?: string }> {
  let state: { testPath?: string | undefined; currentTestName?: string | undefined }
  try {
    // Imported here, not at the top: vitest is an optional peer, and this entry must load without it.
    const { expect } = await import('vitest')
    state = expect.getState()
  } catch {
    return {} // no vitest, or not inside a test: the replay command names no test
  }
  const cwd = readCwd()
  const path = state.testPath
  const file =
    path !== undefined && cwd !== undefined && path.startsWith(`${cwd}/`)
      ? path.slice(cwd.length + 1)
      : path
  return {
    ...(file !== undefined ? { file } : {}),
    ...(state.currentTestName !== undefined ? { name: state.currentTestName } : {}),
  }
}

function readCwd(): string | undefined {
  const proc = (globalThis as { process?: { cwd?: () => string } }).process
  return typeof proc?.cwd === 'function' ? proc.cwd() : undefined
}

function replayCommand(
  seed: number,
  testFile: string | undefined,
  testName: string | undefined,
): string {
  const parts = [`FUZZ_SEED=${seed} npx vitest run --config vitest.workspace.ts`]
  if (testFile !== undefined) parts.push(testFile)
  // Vitest's -t is a regular expression matched against the names joined by spaces, while
  // `currentTestName` joins them with " > ".
  if (testName !== undefined) {
    const pattern = testName
      .split(' > ')
      .join(' ')
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    parts.push(`-t ${shellQuote(pattern)}`)
  }
  return parts.join(' ')
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}
