import { describe, expect, it } from 'vitest'
import { RemoteLogError, isRemoteLogError, isRetryableRemoteLogError } from './remote-log-error.js'
import { createRetryPolicy } from './retry-policy.js'

/** A deterministic source of "random" numbers for the jitter. */
const sequence = (...values: number[]) => {
  let i = 0
  return () => values[i++ % values.length] ?? 0
}

describe('createRetryPolicy', () => {
  it('grows the cap exponentially up to maxDelayMs', () => {
    const policy = createRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 })
    expect([0, 1, 2, 3, 4, 5, 50, 5_000].map(policy.capMs)).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000,
    ])
  })

  it('draws the delay uniformly below the cap (full jitter)', () => {
    const policy = createRetryPolicy({
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: sequence(0, 0.5, 0.999),
    })
    expect([policy.delayMs(3), policy.delayMs(3), policy.delayMs(3)]).toEqual([0, 400, 799])
  })

  it('stays within [0, cap) for a misbehaving random source', () => {
    const policy = createRetryPolicy({
      baseDelayMs: 10,
      random: sequence(-1, 2, Number.NaN, Infinity),
    })
    expect([0, 0, 0, 0].map(() => policy.delayMs(0))).toEqual([0, 10, 0, 0])
  })

  it('spreads delays: a seeded run covers the whole range', () => {
    let seed = 42
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    const policy = createRetryPolicy({ baseDelayMs: 1_000, maxDelayMs: 1_000, random })
    const delays = Array.from({ length: 1_000 }, () => policy.delayMs(0))
    expect(Math.min(...delays)).toBeLessThan(50)
    expect(Math.max(...delays)).toBeGreaterThan(950)
    expect(delays.every((d) => d >= 0 && d < 1_000)).toBe(true)
  })

  it('retries only retryable remote log errors, forever by default', () => {
    const policy = createRetryPolicy({ random: () => 0.5 })
    for (const code of ['network', 'unavailable', 'auth-expired', 'rate-limited'] as const)
      expect(policy.shouldRetry(new RemoteLogError(code, code), 1_000_000)).toBe(true)
    for (const code of ['forbidden', 'too-large', 'invalid', 'history-pruned', 'closed'] as const)
      expect(policy.shouldRetry(new RemoteLogError(code, code), 0)).toBe(false)
    expect(policy.shouldRetry(new Error('boom'), 0)).toBe(false)
    expect(policy.next(new RemoteLogError('network', 'x'), 0)).toBe(250)
    expect(policy.next(new RemoteLogError('forbidden', 'x'), 0)).toBeNull()
  })

  it('gives up after maxAttempts and honours a custom isRetryable', () => {
    const policy = createRetryPolicy({
      maxAttempts: 2,
      random: () => 0,
      isRetryable: (e) => e === 'again',
    })
    expect([0, 1, 2].map((n) => policy.next('again', n))).toEqual([0, 0, null])
    expect(policy.next(new RemoteLogError('network', 'x'), 0)).toBeNull()
  })

  it('rejects nonsensical options', () => {
    expect(() => createRetryPolicy({ baseDelayMs: 0 })).toThrow(RangeError)
    expect(() => createRetryPolicy({ maxDelayMs: -1 })).toThrow(RangeError)
    expect(() => createRetryPolicy({ factor: 0.5 })).toThrow(RangeError)
  })
})

describe('RemoteLogError', () => {
  it('carries code, server facts and retryability, and is recognised across realms', () => {
    const error = new RemoteLogError('too-large', 'push: update too large', {
      operation: 'push',
      serverCode: 'PARLEY_UPDATE_TOO_LARGE',
      status: 400,
      details: { index: 2 },
    })
    expect(error).toMatchObject({ name: 'RemoteLogError', code: 'too-large', operation: 'push' })
    expect(error.retryable).toBe(false)
    expect(isRemoteLogError(error, 'too-large')).toBe(true)
    expect(isRemoteLogError(error, 'network')).toBe(false)
    const cloned = { name: 'RemoteLogError', code: 'network', message: 'x' }
    expect(isRemoteLogError(cloned)).toBe(true)
    expect(isRetryableRemoteLogError(cloned)).toBe(true)
    expect(isRemoteLogError({ name: 'RemoteLogError', code: 'nope' })).toBe(false)
    expect(isRemoteLogError(null)).toBe(false)
  })
})
