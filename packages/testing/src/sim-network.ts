import { createRng, type Rng } from './rng.js'
import type { SimFlushOptions, SimNetworkOptions } from './sim-network-options.js'
import type { SimNetworkEvents } from './sim-network-events.js'
import type { SimNetworkStats } from './sim-network-stats.js'
import type { SimMessageHandler, SimPeer } from './sim-peer.js'

// Re-exported so the package index and the memory transport hub keep importing from here.
export type { SimFlushOptions, SimNetworkOptions } from './sim-network-options.js'
export type { SimNetworkEvents } from './sim-network-events.js'
export type { SimNetworkStats } from './sim-network-stats.js'
export type { SimMessageHandler, SimPeer } from './sim-peer.js'

/** Error codes of {@link SimNetworkError}. */
export type SimNetworkErrorCode =
  'closed' | 'duplicate-peer' | 'invalid-peer' | 'handler-failed' | 'flush-limit'

/** An error raised by the simulated network. */
export class SimNetworkError extends Error {
  override readonly name = 'SimNetworkError'
  constructor(
    readonly code: SimNetworkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Whether `value` is a {@link SimNetworkError}. */
export function isSimNetworkError(value: unknown): value is SimNetworkError {
  return value instanceof SimNetworkError
}

interface PeerState {
  readonly id: string
  readonly onMessage: SimMessageHandler
  closed: boolean
}

interface Envelope {
  readonly from: string
  readonly to: PeerState
  readonly bytes: Uint8Array
}

type Listener<E extends keyof SimNetworkEvents> = (payload: SimNetworkEvents[E]) => void

/**
 * A seeded, in-process network for tests, after the Yjs test connector and automerge-repo's
 * dummy network: peers exchange byte arrays, delivered one per microtask, with seeded loss,
 * duplication and reordering, partitions and offline peers.
 *
 * Guarantees: with all rates at 0 and no cut links, every message is delivered exactly once and
 * in send order per link. Messages sent over a cut link, or in flight when it is cut, are lost
 * for good; convergence after `heal()` must come from a resync triggered on `link-up`.
 * The same seed and the same sequence of calls give the same deliveries.
 */
export class SimNetwork {
  readonly #rng: Rng
  #dropRate: number
  #duplicateRate: number
  #reorderRate: number
  readonly #onError: ((error: SimNetworkError) => void) | undefined
  readonly #peers = new Map<string, PeerState>()
  readonly #offline = new Set<string>()
  readonly #cuts = new Set<string>()
  readonly #queue: Envelope[] = []
  readonly #listeners = new Map<keyof SimNetworkEvents, Set<(payload: never) => void>>()
  readonly #errors: SimNetworkError[] = []
  #pumpScheduled = false
  #closed = false
  readonly #stats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    blocked: 0,
    duplicated: 0,
    reordered: 0,
    bytes: 0,
  }

  constructor(options: SimNetworkOptions) {
    this.#rng = createRng(options.seed).fork('sim-network')
    this.#dropRate = options.dropRate ?? 0
    this.#duplicateRate = options.duplicateRate ?? 0
    this.#reorderRate = options.reorderRate ?? 0
    this.#onError = options.onError
  }

  /**
   * Joins the network as `peerId` (any string but `'all'`, unique among connected peers).
   * Emits `link-up` for every peer it can reach.
   */
  connect(peerId: string, onMessage: SimMessageHandler): SimPeer {
    this.#assertOpen()
    if (peerId === 'all' || peerId === '')
      throw new SimNetworkError('invalid-peer', `invalid peer id ${JSON.stringify(peerId)}`)
    if (this.#peers.has(peerId))
      throw new SimNetworkError('duplicate-peer', `peer ${peerId} is already connected`)
    const state: PeerState = { id: peerId, onMessage, closed: false }
    this.#changeLinks(() => this.#peers.set(peerId, state))
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- reason: the peer object closes over its network
    const network = this
    return {
      id: peerId,
      get online() {
        return !network.#offline.has(peerId)
      },
      send(to, bytes) {
        network.#send(state, to, bytes)
      },
      close() {
        network.#disconnect(state)
      },
    }
  }

  /** Ids of the connected peers, in connection order. */
  peers(): string[] {
    return [...this.#peers.keys()]
  }

  /** Whether a message from `a` to `b` would currently be delivered (both connected, online, not partitioned). */
  canReach(a: string, b: string): boolean {
    return a !== b && this.#peers.has(a) && this.#peers.has(b) && this.#linkOpen(a, b)
  }

  /**
   * Cuts every link between a member of `groupA` and a member of `groupB` (ids, connected or
   * not). Partitions accumulate until {@link heal}. Emits `link-down` for the links it cuts.
   */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.#assertOpen()
    this.#changeLinks(() => {
      for (const a of groupA) for (const b of groupB) if (a !== b) this.#cuts.add(linkKey(a, b))
    })
  }

  /** Removes every partition; emits `link-up` for each restored link, then `heal`. */
  heal(): void {
    this.#assertOpen()
    this.#changeLinks(() => this.#cuts.clear())
    this.#emit('heal', {})
  }

  /**
   * Takes a peer offline (its sends and messages to it are lost) or back online. Emits
   * `link-down` / `link-up` for the links that change.
   */
  setOnline(peerId: string, online: boolean): void {
    this.#assertOpen()
    this.#changeLinks(() => {
      if (online) this.#offline.delete(peerId)
      else this.#offline.add(peerId)
    })
  }

  /**
   * Changes the loss, duplication and reorder rates from now on (omitted ones are kept). A fuzz
   * test sets them to 0 for its final quiescent phase, so convergence can be asserted.
   */
  configure(rates: Pick<SimNetworkOptions, 'dropRate' | 'duplicateRate' | 'reorderRate'>): void {
    this.#dropRate = rates.dropRate ?? this.#dropRate
    this.#duplicateRate = rates.duplicateRate ?? this.#duplicateRate
    this.#reorderRate = rates.reorderRate ?? this.#reorderRate
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof SimNetworkEvents>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => {
      set.delete(listener as (payload: never) => void)
    }
  }

  /** A snapshot of the counters. */
  get stats(): SimNetworkStats {
    return { ...this.#stats, pending: this.#queue.length }
  }

  /**
   * Lets deliveries run until the network is quiescent: nothing queued for `idleTurns`
   * consecutive turns. Rejects with the first error a handler threw (unless `onError` was given)
   * or with `flush-limit`.
   */
  async flush(options: SimFlushOptions = {}): Promise<void> {
    const idleTurns = options.idleTurns ?? 20
    const wait = options.yield ?? (() => Promise.resolve())
    const maxDeliveries = options.maxDeliveries ?? 1_000_000
    const start = this.#stats.delivered
    let idle = 0
    while (idle < idleTurns && !this.#closed) {
      if (this.#queue.length > 0) idle = 0
      else idle++
      await wait()
      const error = this.#errors.shift()
      if (error) throw error
      if (this.#stats.delivered - start > maxDeliveries) {
        throw new SimNetworkError(
          'flush-limit',
          `flush delivered more than ${maxDeliveries} messages; do peers ping-pong?`,
        )
      }
    }
  }

  /** Drops every queued message, disconnects every peer and removes listeners. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue.length = 0
    for (const peer of this.#peers.values()) peer.closed = true
    this.#peers.clear()
    this.#listeners.clear()
  }

  #assertOpen(): void {
    if (this.#closed) throw new SimNetworkError('closed', 'the network is closed')
  }

  #linkOpen(a: string, b: string): boolean {
    return !this.#offline.has(a) && !this.#offline.has(b) && !this.#cuts.has(linkKey(a, b))
  }

  #send(from: PeerState, to: string, bytes: Uint8Array): void {
    if (from.closed || this.#closed)
      throw new SimNetworkError('closed', `peer ${from.id} is closed`)
    const targets: PeerState[] = []
    if (to === 'all') {
      for (const peer of this.#peers.values()) if (peer !== from) targets.push(peer)
    } else {
      const peer = this.#peers.get(to)
      // An unknown recipient is a lost message, not an error: it may have just left.
      if (peer && peer !== from) targets.push(peer)
      else {
        this.#stats.sent++
        this.#stats.blocked++
        return
      }
    }
    for (const target of targets) {
      this.#stats.sent++
      this.#stats.bytes += bytes.byteLength
      if (!this.#linkOpen(from.id, target.id)) {
        this.#stats.blocked++
        continue
      }
      if (this.#dropRate > 0 && this.#rng.bool(this.#dropRate)) {
        this.#stats.dropped++
        continue
      }
      // Every copy is private, as after a real network hop: a receiver may not alias the sender's buffer.
      this.#queue.push({ from: from.id, to: target, bytes: bytes.slice() })
      if (this.#duplicateRate > 0 && this.#rng.bool(this.#duplicateRate)) {
        this.#stats.duplicated++
        this.#queue.push({ from: from.id, to: target, bytes: bytes.slice() })
      }
    }
    this.#schedule()
  }

  #schedule(): void {
    if (this.#pumpScheduled || this.#queue.length === 0) return
    this.#pumpScheduled = true
    queueMicrotask(() => {
      this.#pumpScheduled = false
      this.#deliverOne()
      this.#schedule()
    })
  }

  #deliverOne(): void {
    if (this.#closed || this.#queue.length === 0) return
    let index = 0
    if (this.#reorderRate > 0 && this.#queue.length > 1 && this.#rng.bool(this.#reorderRate)) {
      index = this.#rng.int(1, this.#queue.length - 1)
      this.#stats.reordered++
    }
    const [envelope] = this.#queue.splice(index, 1)
    if (!envelope) return
    const { from, to, bytes } = envelope
    if (to.closed || this.#peers.get(to.id) !== to || !this.#linkOpen(from, to.id)) {
      this.#stats.blocked++
      return
    }
    this.#stats.delivered++
    try {
      to.onMessage(from, bytes)
    } catch (cause) {
      const error = new SimNetworkError(
        'handler-failed',
        `peer ${to.id} threw on a message from ${from}`,
        { cause },
      )
      if (this.#onError) this.#onError(error)
      else this.#errors.push(error)
    }
  }

  #disconnect(peer: PeerState): void {
    if (peer.closed) return
    peer.closed = true
    if (this.#closed) return
    this.#changeLinks(() => this.#peers.delete(peer.id))
  }

  /** Applies `change` and emits `link-down` / `link-up` for every pair whose reachability changed. */
  #changeLinks(change: () => void): void {
    const before = this.#reachablePairs()
    change()
    const after = this.#reachablePairs()
    for (const [key, pair] of before) if (!after.has(key)) this.#emit('link-down', pair)
    for (const [key, pair] of after) if (!before.has(key)) this.#emit('link-up', pair)
  }

  #reachablePairs(): Map<string, { a: string; b: string }> {
    const ids = [...this.#peers.keys()]
    const pairs = new Map<string, { a: string; b: string }>()
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i] as string
        const b = ids[j] as string
        if (this.#linkOpen(a, b)) pairs.set(linkKey(a, b), { a, b })
      }
    }
    return pairs
  }

  #emit<E extends keyof SimNetworkEvents>(event: E, payload: SimNetworkEvents[E]): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of [...set]) (listener as Listener<E>)(payload)
  }
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`
}
