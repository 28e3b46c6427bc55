// The options of SimNetwork and of its flush, apart from the class so that callers wrapping the
// network (the memory transport hub) can take them without the class.
import type { SimNetworkError } from './sim-network.js'

/** Options of {@link SimNetwork}. Every probability is per delivery and drawn from `seed`. */
export interface SimNetworkOptions {
  /** Seed of the network's own random stream (drop, duplicate, reorder decisions). */
  seed: number
  /** Probability that a message to one recipient is silently lost. Default 0. */
  dropRate?: number
  /** Probability that a message to one recipient is delivered twice. Default 0. */
  duplicateRate?: number
  /**
   * Probability that a delivery step takes a random queued message instead of the oldest one, so
   * later messages overtake earlier ones. Default 0 (FIFO for every link).
   */
  reorderRate?: number
  /**
   * Called when a peer's `onMessage` throws. Default: the error is kept and the next
   * {@link SimNetwork.flush} rejects with it, so a test cannot miss it.
   */
  onError?: (error: SimNetworkError) => void
}

/** Options of {@link SimNetwork.flush}. */
export interface SimFlushOptions {
  /**
   * How many consecutive idle turns (no message queued) end the flush. Default 20, enough for
   * handlers that chain a few awaits on microtasks.
   */
  idleTurns?: number
  /**
   * How to wait one turn. Default: one microtask. Pass e.g. `() => new Promise(r => setTimeout(r))`
   * when handlers do macrotask work (IndexedDB, timers).
   */
  yield?: () => Promise<void>
  /** Deliveries after which the flush gives up with `flush-limit` (a ping-pong bug). Default 1,000,000. */
  maxDeliveries?: number
}
