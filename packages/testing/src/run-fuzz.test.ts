import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRng } from './rng.js'
import { isFuzzFailureError, runFuzz } from './run-fuzz.js'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.useRealTimers()
})

describe('runFuzz', () => {
  it('runs every seed with its trace and reports them', async () => {
    vi.stubEnv('FUZZ_SEEDS', '')
    vi.stubEnv('FUZZ_SEED', '')
    const seen: number[] = []
    const report = await runFuzz({
      name: 'all pass',
      seeds: 5,
      firstSeed: 10,
      run: (seed, trace) => {
        trace.log({ op: 'x', seed })
        expect(trace.seed).toBe(seed)
        seen.push(seed)
      },
    })
    expect(seen).toEqual([10, 11, 12, 13, 14])
    expect(report).toEqual({ name: 'all pass', seeds: [10, 11, 12, 13, 14], expectedFailures: [] })
  })

  it('fails on the first failing seed with the seed, a replay command and the trace tail', async () => {
    vi.stubEnv('FUZZ_SEEDS', '')
    vi.stubEnv('FUZZ_SEED', '')
    const ran: number[] = []
    const error: unknown = await runFuzz({
      name: 'sum stays small',
      seeds: 50,
      traceLines: 3,
      run: async (seed, trace) => {
        ran.push(seed)
        const rng = createRng(seed)
        let sum = 0
        for (let i = 0; i < 10; i++) {
          const n = rng.int(0, 10)
          sum += n
          trace.log({ op: 'add', n, bytes: new Uint8Array(4) })
          await Promise.resolve()
        }
        if (sum > 62) throw new Error(`sum ${sum}`)
      },
    }).catch((e: unknown) => e)
    if (!isFuzzFailureError(error)) throw new Error('expected a FuzzFailureError')
    expect(error.code).toBe('seed-failed')
    expect(ran.at(-1)).toBe(error.seed)
    expect(ran).toEqual(Array.from({ length: error.seed }, (_, i) => i + 1))
    expect(error.message).toContain(`failed at seed ${error.seed}: Error: sum`)
    expect(error.message).toContain(
      `FUZZ_SEED=${error.seed} npx vitest run --config vitest.workspace.ts`,
    )
    expect(error.message).toContain('packages/testing/src/run-fuzz.test.ts')
    expect(error.message).toContain("-t 'runFuzz fails on the first failing seed")
    expect(error.trace).toHaveLength(3)
    expect(error.trace[2]).toMatch(/^\{"op":"add","n":\d+,"bytes":"<4 bytes>"\}$/)
    expect(error.message).toContain('last 3 of 10 operations (7 earlier omitted)')
    expect(error.cause).toBeInstanceOf(Error)
  })

  it('replays a single seed from FUZZ_SEED and takes the count from FUZZ_SEEDS', async () => {
    vi.stubEnv('FUZZ_SEED', '37')
    const seen: number[] = []
    await runFuzz({ name: 'replay', seeds: 100, run: (seed) => void seen.push(seed) })
    expect(seen).toEqual([37])

    vi.stubEnv('FUZZ_SEED', '')
    vi.stubEnv('FUZZ_SEEDS', '3')
    seen.length = 0
    await runFuzz({ name: 'count', seeds: 100, run: (seed) => void seen.push(seed) })
    expect(seen).toEqual([1, 2, 3])

    vi.stubEnv('FUZZ_SEEDS', 'lots')
    await expect(runFuzz({ name: 'bad', run: () => undefined })).rejects.toThrow(/FUZZ_SEEDS/)
  })

  it('keeps known limits as expected failures and fails when one starts passing', async () => {
    vi.stubEnv('FUZZ_SEEDS', '')
    vi.stubEnv('FUZZ_SEED', '')
    const report = await runFuzz({
      name: 'known limit',
      seeds: 4,
      expectedFailures: { 2: 'seed 2 hits a documented limit' },
      run: (seed) => {
        if (seed === 2) throw new Error('limit')
      },
    })
    expect(report.expectedFailures).toEqual([2])

    const error: unknown = await runFuzz({
      name: 'fixed limit',
      seeds: 4,
      expectedFailures: { 3: 'was a limit' },
      run: () => undefined,
    }).catch((e: unknown) => e)
    expect(isFuzzFailureError(error) && error.code).toBe('expected-failure-passed')
    expect(isFuzzFailureError(error) && error.seed).toBe(3)
  })

  it('reports a hung seed by number even under fake timers', async () => {
    vi.stubEnv('FUZZ_SEEDS', '')
    vi.stubEnv('FUZZ_SEED', '')
    vi.useFakeTimers()
    const error: unknown = await runFuzz({
      name: 'hang',
      seeds: 3,
      seedTimeoutMs: 50,
      run: (seed) => (seed === 2 ? new Promise<void>(() => undefined) : undefined),
    }).catch((e: unknown) => e)
    expect(isFuzzFailureError(error) && error.code).toBe('seed-timeout')
    expect(isFuzzFailureError(error) && error.seed).toBe(2)
  })
})
