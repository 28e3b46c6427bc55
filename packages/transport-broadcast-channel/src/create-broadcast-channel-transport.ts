import {
  asPeerId,
  isPeerId,
  TRANSPORT_PROTOCOL_VERSION,
  TransportError,
  validateTransportMessage,
  validateTransportWireMessage,
  type OutgoingTransportMessage,
  type PeerId,
  type Transport,
  type TransportStatus,
  type TransportWireMessage,
} from '@parley/core/ports'
import { TransportEmitter } from '@parley/core/ports'

/** The parts of a `BroadcastChannel` constructor this transport uses (for injection in tests). */
export type BroadcastChannelConstructor = new (name: string) => BroadcastChannel

/** Options of {@link createBroadcastChannelTransport}. */
export interface BroadcastChannelTransportOptions {
  /**
   * The channel's name; every same-origin context that opens it is a peer. Default `'parley'`.
   * Include whatever separates independent engines of the same origin — at least the user id
   * (`parley:<userId>`), so two accounts signed in on one origin never exchange updates.
   */
  channelName?: string
  /** This endpoint's id. Default: a fresh `crypto.randomUUID()`. Must be unique among live peers. */
  peerId?: PeerId | string
  /** Closes the transport when aborted (as `close()` does). */
  signal?: AbortSignal
  /** Receives every non-fatal error (invalid input, refused sends, listener failures), besides the `error` event. */
  onError?: (error: TransportError) => void
  /** The `BroadcastChannel` implementation. Default: `globalThis.BroadcastChannel` (browsers, workers, Node ≥ 18). */
  BroadcastChannel?: BroadcastChannelConstructor
}

/**
 * A {@link Transport} between the same-origin contexts of one browser (tabs, workers) over a
 * `BroadcastChannel`. Event-driven (no polling), so a hidden tab keeps receiving; a frozen or
 * discarded tab does not, and resyncs on `peer-joined` when it comes back.
 *
 * Messages travel as structured clones of {@link TransportWireMessage} objects (byte arrays as
 * `Uint8Array`s), see docs/PROTOCOL.md. Every arrival is validated; invalid ones are dropped and
 * reported (`error` event and `onError`), never thrown. Peers are discovered with `hello`
 * (answered by an addressed `hello`) and leave with `goodbye` on `close()`; a context that dies
 * without closing (a killed tab, a terminated worker) is not detected and stays in `peers()` —
 * the engine's leader election (Web Locks) is what notices those.
 *
 * Ordered (a channel delivers one sender's messages in posting order); `online` from creation
 * until `close()`, as the channel needs no network. Throws only for an invalid `peerId` or when
 * no `BroadcastChannel` exists (a `TransportError` with code `unknown`).
 */
export function createBroadcastChannelTransport(
  options: BroadcastChannelTransportOptions = {},
): Transport {
  const Channel =
    options.BroadcastChannel ??
    (globalThis as { BroadcastChannel?: BroadcastChannelConstructor }).BroadcastChannel
  if (Channel === undefined)
    throw new TransportError('unknown', 'BroadcastChannel is not available here')
  const peerId = asPeerId(options.peerId ?? globalThis.crypto.randomUUID())
  const emitter = new TransportEmitter(options.onError)
  const joined = new Set<string>()
  const known = new Set<PeerId>()
  const signal = options.signal
  let status: TransportStatus = 'online'
  let channel: BroadcastChannel | undefined

  const post = (message: TransportWireMessage): boolean => {
    if (!channel) return false
    try {
      channel.postMessage(message)
      return true
    } catch (cause) {
      // DataCloneError for an uncloneable payload; InvalidStateError if the channel closed under us.
      emitter.report(
        new TransportError('send-failed', `could not post a ${message.type} message`, { cause }),
      )
      return false
    }
  }

  const hello = (to?: PeerId): boolean =>
    post(
      to === undefined
        ? { v: TRANSPORT_PROTOCOL_VERSION, type: 'hello', from: peerId }
        : { v: TRANSPORT_PROTOCOL_VERSION, type: 'hello', from: peerId, to },
    )

  const addPeer = (peer: PeerId): void => {
    if (known.has(peer)) return
    known.add(peer)
    emitter.emit('peer-joined', { peer })
  }

  const receive = (data: unknown): void => {
    if (status === 'closed') return
    const result = validateTransportWireMessage(data)
    if (!result.ok) {
      const claimed = (data as { from?: unknown } | null)?.from
      const peer = isPeerId(claimed) ? claimed : undefined
      emitter.report(
        new TransportError(
          result.code,
          `dropped a message: ${result.reason}`,
          peer ? { peer } : {},
        ),
      )
      return
    }
    const message = result.message
    // A channel never echoes to the posting object; an equal id means a second live context with our id.
    if (message.from === peerId) return
    if (message.to !== undefined && message.to !== peerId) return
    switch (message.type) {
      case 'hello':
        if (message.to === undefined) {
          // A broadcast hello from a peer we know means it restarted (a reload keeping its id):
          // report it as gone and back, so the engine resyncs with it.
          if (known.delete(message.from)) emitter.emit('peer-left', { peer: message.from })
          hello(message.from)
        }
        addPeer(message.from)
        return
      case 'goodbye':
        if (known.delete(message.from)) emitter.emit('peer-left', { peer: message.from })
        return
      default:
        if (!known.has(message.from)) {
          // We missed its hello (it came before ours went out); introduce ourselves.
          addPeer(message.from)
          hello(message.from)
        }
        if (joined.has(message.conversationId)) emitter.emit('message', { message })
    }
  }

  const close = (): void => {
    if (status === 'closed') return
    status = 'closed'
    signal?.removeEventListener('abort', close)
    if (channel) {
      post({ v: TRANSPORT_PROTOCOL_VERSION, type: 'goodbye', from: peerId })
      channel.onmessage = null
      channel.onmessageerror = null
      channel.close()
      channel = undefined
    }
    known.clear()
    joined.clear()
    emitter.emit('status', { status })
    emitter.clear()
  }

  const transport: Transport = {
    kind: 'broadcast-channel',
    peerId,
    ordered: true,
    // Peers in one browser profile share the user's database: nothing to sign (docs/TRUST.md).
    signed: false,
    get status() {
      return status
    },
    peers: () => [...known],
    join(conversationId) {
      if (status !== 'closed') joined.add(conversationId)
    },
    leave(conversationId) {
      joined.delete(conversationId)
    },
    send(outgoing: OutgoingTransportMessage): boolean {
      if (status !== 'online') return false
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
      return post(checked.message)
    },
    on: (event, listener) => emitter.on(event, listener),
    close,
  }

  if (signal?.aborted) {
    status = 'closed'
    return transport
  }
  channel = new Channel(options.channelName ?? 'parley')
  channel.onmessage = (event: MessageEvent<unknown>) => receive(event.data)
  channel.onmessageerror = () =>
    emitter.report(
      new TransportError('invalid-message', 'dropped a message that could not be deserialised'),
    )
  signal?.addEventListener('abort', close, { once: true })
  hello()
  return transport
}
