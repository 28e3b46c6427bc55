// Exponential backoff with full jitter: the delay before retry n is uniform in
// [0, min(maxDelayMs, baseDelayMs · factor^n)). Full jitter spreads the retries of many devices
// that failed together (a server restart) instead of having them return in waves.
import { isRetryableRemoteLogError } from './remote-log-error.js'

/** Options of {@link createRetryPolicy}. */
export interface RetryPolicyOptions {
  /** The cap of the first retry's delay, in ms. Default 500. */
  baseDelayMs?: number
  /** The largest delay, in ms. Default 30,000. */
  maxDelayMs?: number
  /** Growth of the cap per attempt. Default 2. */
  factor?: number
  /** Retries after which `next` gives up (the attempt count, not the delay). Default `Infinity`: retry forever, as the outbox must. */
  maxAttempts?: number
  /** Uniform random numbers in [0, 1); inject a seeded one in tests. Default `Math.random`. */
  random?: () => number
  /** Which errors are worth a retry. Default {@link isRetryableRemoteLogError}. */
  isRetryable?: (error: unknown) => boolean
}

/** When to retry a failed call, and after how long. Stateless: the caller counts attempts. */
export interface RetryPolicy {
  /**
   * The delay in ms before retry number `attempt` (0 for the first retry): a uniform draw in
   * `[0, cap)` where `cap = min(maxDelayMs, baseDelayMs · factor^attempt)`.
   */
  delayMs(attempt: number): number
  /** The cap of the delay for `attempt` (the upper bound of {@link RetryPolicy.delayMs}). */
  capMs(attempt: number): number
  /** Whether `error` is worth retry number `attempt` (retryable and below `maxAttempts`). */
  shouldRetry(error: unknown, attempt: number): boolean
  /** `delayMs(attempt)` when `shouldRetry(error, attempt)`, else null (give up). */
  next(error: unknown, attempt: number): number | null
}

function checkPositive(name: string, value: number, allowZero = false): number {
  if (!(Number.isFinite(value) || value === Infinity) || value < 0 || (!allowZero && value === 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`)
  return value
}

/**
 * A {@link RetryPolicy}: exponential backoff with full jitter and a cap. Throws a `RangeError`
 * for a negative or zero base, cap or factor below 1.
 */
export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const base = checkPositive('baseDelayMs', options.baseDelayMs ?? 500)
  const max = checkPositive('maxDelayMs', options.maxDelayMs ?? 30_000)
  const factor = options.factor ?? 2
  if (!(factor >= 1)) throw new RangeError(`factor must be >= 1, got ${factor}`)
  const maxAttempts = checkPositive('maxAttempts', options.maxAttempts ?? Infinity, true)
  const random = options.random ?? Math.random
  const isRetryable = options.isRetryable ?? isRetryableRemoteLogError

  const capMs = (attempt: number): number => {
    const n = Math.max(0, Math.floor(attempt))
    // Math.pow overflows to Infinity long before n is large; min() clamps that to max.
    return Math.min(max, base * Math.pow(factor, n))
  }
  const delayMs = (attempt: number): number => {
    const r = random()
    // A broken random source must not produce a negative or endless delay.
    const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0
    return Math.floor(unit * capMs(attempt))
  }
  const shouldRetry = (error: unknown, attempt: number): boolean =>
    attempt < maxAttempts && isRetryable(error)
  return {
    capMs,
    delayMs,
    shouldRetry,
    next: (error, attempt) => (shouldRetry(error, attempt) ? delayMs(attempt) : null),
  }
}
