// The engine's policy over its transports: what to send when, how to resync after a gap, and
// relaying between transports. Transports are dumb (see transport.ts): they may lose, duplicate
// or reorder, so convergence comes from state-vector exchanges whenever a peer (re)appears, a
// transport comes back online, or a conversation is joined.
import {
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness'
import type { ConversationId } from '../ids.js'
import { remoteOrigin, type TransactionOrigin } from '../transaction-origin.js'
import type { ConversationSession } from './conversation-session.js'
import type { Transport } from './transport.js'
import type { PeerId, TransportMessage } from './transport-messages.js'

function remotePeer(origin: unknown): string | undefined {
  if (typeof origin !== 'object' || origin === null) return undefined
  const o = origin as { source?: unknown; peer?: unknown }
  return o.source === 'remote' && typeof o.peer === 'string' ? o.peer : undefined
}

/** An empty Yjs update (no structs, empty delete set): nothing worth sending. */
const EMPTY_UPDATE_LENGTH = 2

/** What PeerSync needs from the engine. */
export interface PeerSyncOptions {
  transports: readonly Transport[]
  /** The hot session of a conversation, if any (messages for others are ignored). */
  session: (id: ConversationId) => ConversationSession | undefined
  /** A remote update was applied to a session: persist it. */
  received: (session: ConversationSession, update: Uint8Array, origin: TransactionOrigin) => void
  /** Presence changed in a conversation. */
  changed: (id: ConversationId) => void
  onError: (error: unknown) => void
}

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}

/** Wires sessions to transports. Owned by the engine; closed with it. */
export class PeerSync {
  readonly #options: PeerSyncOptions
  readonly #off: (() => void)[] = []
  readonly #sessionOff = new Map<ConversationId, () => void>()
  /** Per conversation, the awareness clients each peer announced (removed when it leaves). */
  readonly #clientsByPeer = new Map<ConversationId, Map<string, Set<number>>>()
  #network = true

  constructor(options: PeerSyncOptions) {
    this.#options = options
    for (const transport of options.transports) {
      this.#off.push(
        transport.on('message', ({ message }) => this.#receive(transport, message)),
        transport.on('peer-joined', ({ peer, conversationId }) =>
          this.#greet(transport, peer, conversationId),
        ),
        transport.on('peer-left', ({ peer, conversationId }) => this.#forget(peer, conversationId)),
        transport.on('status', ({ status }) => {
          if (status === 'online') this.#resyncAll(transport)
        }),
        transport.on('error', ({ error }) => options.onError(error)),
      )
    }
  }

  /** Whether some transport is online (no transport: offline). */
  get online(): boolean {
    return this.#network && this.#options.transports.some((t) => t.status === 'online')
  }

  /**
   * What the browser says of the network (`navigator.onLine`, forwarded by tabs). While it is
   * down nothing is sent — a real outage would drop it anyway; when it is back every peer is
   * asked for what we miss, which also hands them what they miss.
   */
  setNetwork(available: boolean): void {
    if (available === this.#network) return
    this.#network = available
    if (available) for (const transport of this.#options.transports) this.#resyncAll(transport)
  }

  /** Starts syncing a newly hydrated session: join, ask every peer for what we miss, announce presence. */
  join(session: ConversationSession): void {
    const onAwareness = (change: AwarenessChange, origin: unknown): void => {
      this.#options.changed(session.id)
      const peer = remotePeer(origin)
      if (peer !== undefined) {
        const byPeer = this.#clientsByPeer.get(session.id) ?? new Map<string, Set<number>>()
        this.#clientsByPeer.set(session.id, byPeer)
        const clients = byPeer.get(peer) ?? new Set<number>()
        byPeer.set(peer, clients)
        for (const id of [...change.added, ...change.updated]) clients.add(id)
      }
      if (origin !== 'local') return
      const clients = [...change.added, ...change.updated, ...change.removed]
      const update = encodeAwarenessUpdate(session.awareness, clients)
      this.#send(undefined, { type: 'awareness', conversationId: session.id, update })
    }
    session.awareness.on('update', onAwareness)
    this.#sessionOff.set(session.id, () => session.awareness.off('update', onAwareness))
    for (const transport of this.#options.transports) {
      transport.join(session.id)
      this.#request(transport, session)
    }
  }

  /** Stops syncing a session that is being evicted. */
  leave(session: ConversationSession): void {
    this.#sessionOff.get(session.id)?.()
    this.#sessionOff.delete(session.id)
    this.#clientsByPeer.delete(session.id)
    for (const transport of this.#options.transports) transport.leave(session.id)
  }

  /**
   * Joins the conversation's channels again: a private channel refused before the server knew the
   * conversation (Realtime answers such a join only after a delay) is retried at once.
   */
  rejoin(session: ConversationSession): void {
    if (!this.#sessionOff.has(session.id)) return
    for (const transport of this.#options.transports) {
      transport.leave(session.id)
      transport.join(session.id)
      this.#request(transport, session)
    }
  }

  /** Sends a local update to every peer on every transport. */
  broadcast(conversationId: ConversationId, update: Uint8Array): void {
    this.#send(undefined, { type: 'update', conversationId, update })
  }

  /** Unsubscribes from the transports and closes them. Idempotent. */
  close(): void {
    for (const off of this.#off.splice(0)) off()
    for (const off of this.#sessionOff.values()) off()
    this.#sessionOff.clear()
    for (const transport of this.#options.transports) transport.close()
  }

  #receive(from: Transport, message: TransportMessage): void {
    const session = this.#options.session(message.conversationId)
    if (!session) return
    const origin = remoteOrigin(message.from)
    switch (message.type) {
      case 'update': {
        if (session.doc.applyUpdate(message.update, origin).ok) {
          this.#options.received(session, message.update, origin)
          // Other transports' peers may not have it (a tab relays a device's update and back).
          this.#send(from, { type: 'update', conversationId: session.id, update: message.update })
        }
        return
      }
      case 'sync-request': {
        const update = session.doc.encodeStateAsUpdate(message.stateVector)
        this.#out(from, {
          type: 'sync-reply',
          to: message.from,
          conversationId: session.id,
          update,
          stateVector: session.doc.encodeStateVector(),
        })
        return
      }
      case 'sync-reply': {
        if (message.update.length > EMPTY_UPDATE_LENGTH) {
          if (session.doc.applyUpdate(message.update, origin).ok) {
            this.#options.received(session, message.update, origin)
            this.#send(from, { type: 'update', conversationId: session.id, update: message.update })
          }
        }
        if (message.stateVector !== undefined) {
          const missing = session.doc.encodeStateAsUpdate(message.stateVector)
          if (missing.length > EMPTY_UPDATE_LENGTH) {
            this.#out(from, {
              type: 'update',
              to: message.from,
              conversationId: session.id,
              update: missing,
            })
          }
        }
        return
      }
      case 'awareness': {
        try {
          applyAwarenessUpdate(session.awareness, message.update, origin)
        } catch (error) {
          this.#options.onError(error)
        }
        return
      }
    }
  }

  /** A peer appeared: exchange state vectors and tell it who is here. */
  #greet(transport: Transport, peer: PeerId, conversationId?: ConversationId): void {
    const sessions =
      conversationId === undefined
        ? [...this.#sessionOff.keys()].map((id) => this.#options.session(id))
        : [this.#options.session(conversationId)]
    for (const session of sessions) {
      if (!session) continue
      this.#request(transport, session, peer)
      const update = encodeAwarenessUpdate(session.awareness, [session.awareness.clientID])
      this.#out(transport, { type: 'awareness', to: peer, conversationId: session.id, update })
    }
  }

  /** A peer left (its socket closed): its presence and typing go with it, without waiting 30 s. */
  #forget(peer: PeerId, conversationId?: ConversationId): void {
    const ids = conversationId === undefined ? [...this.#clientsByPeer.keys()] : [conversationId]
    for (const id of ids) {
      const clients = this.#clientsByPeer.get(id)?.get(peer)
      const session = this.#options.session(id)
      if (clients === undefined || session === undefined) continue
      this.#clientsByPeer.get(id)?.delete(peer)
      removeAwarenessStates(session.awareness, [...clients], 'peer-left')
    }
  }

  #resyncAll(transport: Transport): void {
    for (const id of this.#sessionOff.keys()) {
      const session = this.#options.session(id)
      if (session) this.#request(transport, session)
    }
  }

  #request(transport: Transport, session: ConversationSession, to?: PeerId): void {
    this.#out(transport, {
      type: 'sync-request',
      conversationId: session.id,
      stateVector: session.doc.encodeStateVector(),
      ...(to !== undefined ? { to } : {}),
    })
  }

  /** Sends unless the browser reports no network (then the peers resync when it is back). */
  #out(transport: Transport, message: Parameters<Transport['send']>[0]): void {
    if (this.#network) transport.send(message)
  }

  /** Sends on every transport except `except`. */
  #send(except: Transport | undefined, message: Parameters<Transport['send']>[0]): void {
    for (const transport of this.#options.transports) {
      if (transport !== except) this.#out(transport, message)
    }
  }
}
