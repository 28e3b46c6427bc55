import {
  asPeerId,
  decodeTransportMessage,
  encodeTransportMessage,
  isPeerId,
  TRANSPORT_PROTOCOL_VERSION,
  TransportError,
  validateTransportMessage,
  type OutgoingTransportMessage,
  type PeerId,
  type Transport,
  type TransportStatus,
} from '@parley/core/ports'
import {
  SimNetwork,
  type SimFlushOptions,
  type SimNetworkOptions,
  type SimPeer,
} from './sim-network.js'
import { TransportEmitter } from '@parley/core/ports'

/** Options of {@link createMemoryTransportHub}. */
export interface MemoryTransportHubOptions extends Partial<SimNetworkOptions> {
  /** Seed of the underlying network. Default 1. */
  seed?: number
  /**
   * An existing network to run over (then the rate options are ignored). Default: a new
   * {@link SimNetwork} built from these options, closed by `hub.close()`.
   */
  network?: SimNetwork
  /**
   * What the transports report as `signed`: true plays a medium between users' devices
   * (Realtime), where the engine signs and verifies updates; false one inside a browser profile
   * (BroadcastChannel). Default false.
   */
  signed?: boolean
}

/** Options of {@link MemoryTransportHub.createTransport}. */
export interface MemoryTransportOptions {
  /** This endpoint's id; must be unique among the hub's live transports. */
  peerId: PeerId | string
  /** Closes the transport when aborted. */
  signal?: AbortSignal
  /**
   * Whether the transport stands for a medium between users' devices (`Transport.signed`): the
   * engine then signs and verifies updates on it. Default: the hub's
   * {@link MemoryTransportHubOptions.signed} (false).
   */
  signed?: boolean
  /** Receives every non-fatal error (also emitted as `error`). */
  onError?: (error: TransportError) => void
}

/**
 * A set of in-memory transports over one seeded {@link SimNetwork}: the deterministic double of
 * the BroadcastChannel and Supabase transports. Messages travel in their binary form
 * (`encodeTransportMessage`), so every arrival is decoded and validated like real input.
 * Everything is delivered on microtasks; peers are discovered from the network's links, so a
 * partition heal or a peer coming back online yields `peer-joined` — the engine's resync cue.
 */
export interface MemoryTransportHub {
  /** The network underneath: partition, heal, rates, stats. */
  readonly network: SimNetwork
  /** Creates a transport for `peerId` (`online` unless the network has that peer offline). */
  createTransport(options: MemoryTransportOptions | string): Transport
  /**
   * Takes a peer offline or back online: its transport's status changes (`status` event), its
   * links go down or up (`peer-left` / `peer-joined` on both sides), and messages are lost
   * while offline.
   */
  setOnline(peerId: string, online: boolean): void
  /** Puts raw bytes on the network from a foreign sender (a test of validation). */
  injectRaw(to: string | 'all', bytes: Uint8Array): void
  /** Delivers until quiescent; see {@link SimNetwork.flush}. */
  flush(options?: SimFlushOptions): Promise<void>
  /** Closes every transport and (when the hub created it) the network. Idempotent. */
  close(): void
}

/** The network id of the foreign sender used by `injectRaw`; not a valid `PeerId`, so no transport can own it. */
const RAW_PEER = '~raw'

interface MemoryEndpoint {
  readonly transport: Transport
  linkUp(peer: PeerId): void
  linkDown(peer: PeerId): void
  setStatus(status: TransportStatus): void
}

/** Creates a {@link MemoryTransportHub}. */
export function createMemoryTransportHub(
  options: MemoryTransportHubOptions = {},
): MemoryTransportHub {
  const ownsNetwork = options.network === undefined
  const network = options.network ?? new SimNetwork({ ...options, seed: options.seed ?? 1 })
  const endpoints = new Map<string, MemoryEndpoint>()
  let raw: SimPeer | undefined
  let closed = false

  // Link events are relayed on a microtask: a transport announces peers after its creator had the
  // chance to subscribe, and in order with the deliveries already queued.
  const unsubscribe = [
    network.on('link-up', ({ a, b }) => {
      if (a === RAW_PEER || b === RAW_PEER) return
      queueMicrotask(() => {
        endpoints.get(a)?.linkUp(b as PeerId)
        endpoints.get(b)?.linkUp(a as PeerId)
      })
    }),
    network.on('link-down', ({ a, b }) => {
      if (a === RAW_PEER || b === RAW_PEER) return
      queueMicrotask(() => {
        endpoints.get(a)?.linkDown(b as PeerId)
        endpoints.get(b)?.linkDown(a as PeerId)
      })
    }),
  ]

  const createTransport = (input: MemoryTransportOptions | string): Transport => {
    if (closed) throw new TransportError('closed', 'the memory transport hub is closed')
    const opts = typeof input === 'string' ? { peerId: input } : input
    const peerId = asPeerId(opts.peerId)
    if (endpoints.has(peerId)) {
      throw new TransportError('unknown', `peer ${peerId} already has a live memory transport`)
    }
    const emitter = new TransportEmitter(opts.onError)
    const joined = new Set<string>()
    const known = new Set<PeerId>()
    let status: TransportStatus = 'online'
    let isClosed = false

    const onBytes = (from: string, bytes: Uint8Array): void => {
      if (isClosed) return
      const decoded = decodeTransportMessage(bytes)
      const peer = isPeerId(from) ? from : undefined
      if (!decoded.ok) {
        emitter.report(
          new TransportError(
            decoded.code,
            `dropped a message from ${from}: ${decoded.reason}`,
            peer ? { peer } : {},
          ),
        )
        return
      }
      const message = decoded.message
      if (message.from !== from) {
        emitter.report(
          new TransportError(
            'invalid-message',
            `dropped a message from ${from} claiming to be from ${message.from}`,
            peer ? { peer } : {},
          ),
        )
        return
      }
      if (message.type === 'hello' || message.type === 'goodbye') return // peers come from network links here
      if (message.to !== undefined && message.to !== peerId) return
      if (!joined.has(message.conversationId)) return
      emitter.emit('message', { message })
    }

    // Link events from connecting are relayed on a microtask, after the endpoint is registered below.
    const sim = network.connect(peerId, onBytes)

    const close = (): void => {
      if (isClosed) return
      isClosed = true
      opts.signal?.removeEventListener('abort', close)
      status = 'closed'
      known.clear()
      emitter.emit('status', { status })
      emitter.clear()
      if (endpoints.get(peerId)?.transport === transport) endpoints.delete(peerId)
      sim.close()
    }

    const transport: Transport = {
      kind: 'memory',
      peerId,
      // A shared network's rates are unknown here, so only a hub-built network without reordering promises order.
      ordered: options.network === undefined && (options.reorderRate ?? 0) === 0,
      signed: opts.signed ?? options.signed ?? false,
      get status() {
        return status
      },
      peers: () => [...known],
      join(conversationId) {
        if (!isClosed) joined.add(conversationId)
      },
      leave(conversationId) {
        joined.delete(conversationId)
      },
      send(outgoing: OutgoingTransportMessage): boolean {
        if (isClosed || status !== 'online') return false
        const checked = validateTransportMessage({
          ...outgoing,
          v: TRANSPORT_PROTOCOL_VERSION,
          from: peerId,
        })
        if (!checked.ok)
          throw new TransportError(
            'invalid-message',
            `cannot send an invalid message: ${checked.reason}`,
          )
        sim.send(checked.message.to ?? 'all', encodeTransportMessage(checked.message))
        return true
      },
      on: (event, listener) => emitter.on(event, listener),
      close,
    }

    endpoints.set(peerId, {
      transport,
      linkUp(peer) {
        if (isClosed || known.has(peer)) return
        known.add(peer)
        emitter.emit('peer-joined', { peer })
      },
      linkDown(peer) {
        if (isClosed || !known.delete(peer)) return
        emitter.emit('peer-left', { peer })
      },
      setStatus(next) {
        if (isClosed || status === next) return
        status = next
        emitter.emit('status', { status })
      },
    })
    if (!sim.online) status = 'offline'
    if (opts.signal?.aborted) close()
    else opts.signal?.addEventListener('abort', close, { once: true })
    return transport
  }

  return {
    network,
    createTransport,
    setOnline(peerId, online) {
      network.setOnline(peerId, online)
      queueMicrotask(() => endpoints.get(peerId)?.setStatus(online ? 'online' : 'offline'))
    },
    injectRaw(to, bytes) {
      raw ??= network.connect(RAW_PEER, () => undefined)
      raw.send(to, bytes)
    },
    flush: (flushOptions) => network.flush(flushOptions),
    close() {
      if (closed) return
      closed = true
      for (const endpoint of [...endpoints.values()]) endpoint.transport.close()
      for (const off of unsubscribe) off()
      raw?.close()
      if (ownsNetwork) network.close()
    },
  }
}

/** What {@link createMemoryTransportPair} returns. */
export interface MemoryTransportPair {
  readonly hub: MemoryTransportHub
  readonly a: Transport
  readonly b: Transport
}

/** Two memory transports, `a` and `b`, on a new hub (see {@link createMemoryTransportHub}). */
export function createMemoryTransportPair(
  options: MemoryTransportHubOptions = {},
): MemoryTransportPair {
  const hub = createMemoryTransportHub(options)
  return { hub, a: hub.createTransport('a'), b: hub.createTransport('b') }
}
