// The engine's policy over its transports: what to send when, how to resync after a gap, and
// relaying between transports. Transports are dumb (see transport.ts): they may lose, duplicate
// or reorder, so convergence comes from state-vector exchanges whenever a peer (re)appears, a
// transport comes back online, or a conversation is joined.
import {
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness'
import { Emitter } from '../emitter.js'
import type { ConversationId, DeviceId } from '../ids.js'
import { remoteOrigin } from '../transaction-origin.js'
import type { PeerDocument, PeerSyncEvents } from './peer-document.js'
import type { Transport } from '../ports/transport.js'
import type { PeerId, TransportMessage, UpdateMessage } from '../ports/transport-messages.js'

function remotePeer(origin: unknown): string | undefined {
  if (typeof origin !== 'object' || origin === null) return undefined
  const o = origin as { source?: unknown; peer?: unknown }
  return o.source === 'remote' && typeof o.peer === 'string' ? o.peer : undefined
}

/** An empty Yjs update (no structs, empty delete set): nothing worth sending. */
const EMPTY_UPDATE_LENGTH = 2

export type { PeerDocument, PeerSyncEvents } from './peer-document.js'

/** Options of {@link PeerSync}. */
export interface PeerSyncOptions {
  /** The live transports; PeerSync subscribes to them and closes them with itself. */
  transports: readonly Transport[]
  /** Wall clock (ms) for `lastSyncedAt`. Default `Date.now`. */
  wallClock?: () => number
  /**
   * Signing and admission of updates on `signed` transports (the engine's trust). Without it a
   * signed transport is used like any other (an engine with no server to learn devices from).
   */
  trust?: LiveTrust
}

/** How updates cross a `signed` transport (docs/TRUST.md). */
export interface LiveTrust {
  /** The device and signature to send with a local update. */
  sign(
    conversationId: ConversationId,
    update: Uint8Array,
  ): Promise<{ device: DeviceId; signature: Uint8Array }>
  /**
   * Judges an update from another device (signature, sender, rules) and applies and stores it
   * when allowed; resolves whether it was applied. Refusals are reported by the trust itself.
   */
  admit(conversationId: ConversationId, message: UpdateMessage): Promise<boolean>
}

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}

/**
 * Wires joined documents to transports. Owned by the engine, which listens to its events
 * (`received`, `presence-changed`, `error`); it owns the set of joined documents and what each
 * peer announced. Closed with the engine.
 */
export class PeerSync {
  readonly #transports: readonly Transport[]
  readonly #wallClock: () => number
  /** Per conversation, when a peer's update last arrived (ms). */
  readonly #lastSyncedAt: Record<string, number> = {}
  readonly #events = new Emitter<PeerSyncEvents>()
  readonly #off: (() => void)[] = []
  /** The joined documents, and how to stop listening to each one's awareness. */
  readonly #joined = new Map<ConversationId, { document: PeerDocument; off: () => void }>()
  /** Per conversation, the awareness clients each peer announced (removed when it leaves). */
  readonly #clientsByPeer = new Map<ConversationId, Map<string, Set<number>>>()
  readonly #trust: LiveTrust | undefined
  /** Signatures are made in order, so updates leave in the order they were made. */
  #signing: Promise<void> = Promise.resolve()
  /** Per conversation, the admission of signed updates, one at a time, in arrival order. */
  readonly #admitting = new Map<ConversationId, Promise<void>>()
  #network = true

  constructor(options: PeerSyncOptions) {
    this.#transports = options.transports
    this.#wallClock = options.wallClock ?? Date.now
    this.#trust = options.trust
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
        transport.on('error', ({ error }) => this.#events.emit('error', { error })),
      )
    }
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof PeerSyncEvents>(
    event: E,
    listener: (payload: PeerSyncEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Per conversation, the last time a peer's update arrived (ms). */
  lastSyncedAt(): Record<string, number> {
    return { ...this.#lastSyncedAt }
  }

  /** Whether some transport is online (no transport: offline). */
  get online(): boolean {
    return this.#network && this.#transports.some((t) => t.status === 'online')
  }

  /**
   * What the browser says of the network (`navigator.onLine`, forwarded by tabs). While it is
   * down nothing is sent — a real outage would drop it anyway; when it is back every peer is
   * asked for what we miss, which also hands them what they miss.
   */
  setNetwork(available: boolean): void {
    if (available === this.#network) return
    this.#network = available
    if (available) for (const transport of this.#transports) this.#resyncAll(transport)
  }

  /** Starts syncing a newly hydrated document: join, ask every peer for what we miss, announce presence. */
  join(session: PeerDocument): void {
    const onAwareness = (change: AwarenessChange, origin: unknown): void => {
      this.#events.emit('presence-changed', { conversationId: session.id })
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
    const off = (): void => session.awareness.off('update', onAwareness)
    this.#joined.set(session.id, { document: session, off })
    for (const transport of this.#transports) {
      transport.join(session.id)
      this.#request(transport, session)
    }
  }

  /** Stops syncing a document (evicted or left). */
  leave(id: ConversationId): void {
    this.#joined.get(id)?.off()
    this.#joined.delete(id)
    this.#clientsByPeer.delete(id)
    for (const transport of this.#transports) transport.leave(id)
  }

  /**
   * Joins the conversation's channels again: a private channel refused before the server knew the
   * conversation (Realtime answers such a join only after a delay) is retried at once.
   */
  rejoin(id: ConversationId): void {
    const session = this.#joined.get(id)?.document
    if (session === undefined) return
    for (const transport of this.#transports) {
      transport.leave(id)
      transport.join(id)
      this.#request(transport, session)
    }
  }

  /** Sends a local update to every peer on every transport. */
  broadcast(conversationId: ConversationId, update: Uint8Array): void {
    const trust = this.#trust
    for (const transport of this.#transports) {
      if (trust === undefined || !transport.signed)
        this.#out(transport, { type: 'update', conversationId, update })
    }
    if (trust === undefined || !this.#transports.some((t) => t.signed)) return
    this.#signing = this.#signing
      .then(() => trust.sign(conversationId, update))
      .then(
        ({ device, signature }) => {
          for (const transport of this.#transports) {
            if (transport.signed)
              this.#out(transport, { type: 'update', conversationId, update, device, signature })
          }
        },
        (error: unknown) => this.#events.emit('error', { error }),
      )
  }

  /** Unsubscribes from the transports and closes them. Idempotent. */
  close(): void {
    for (const off of this.#off.splice(0)) off()
    for (const { off } of this.#joined.values()) off()
    this.#joined.clear()
    for (const transport of this.#transports) transport.close()
  }

  #receive(from: Transport, message: TransportMessage): void {
    const session = this.#joined.get(message.conversationId)?.document
    if (!session) return
    if (this.#trust !== undefined && from.signed && message.type !== 'awareness') {
      // Only single-writer, signed updates cross a signed medium; catch-up is the server's log.
      if (message.type === 'update') this.#admit(from, session.id, message)
      return
    }
    const origin = remoteOrigin(message.from)
    switch (message.type) {
      case 'update': {
        if (session.doc.applyUpdate(message.update, origin).ok) {
          this.#received(session.id, message.update)
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
            this.#received(session.id, message.update)
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
          this.#events.emit('error', { error })
        }
        return
      }
    }
  }

  /** Admits a signed update after those that arrived before it; relays it when applied. */
  #admit(from: Transport, id: ConversationId, message: UpdateMessage): void {
    const trust = this.#trust!
    const previous = this.#admitting.get(id) ?? Promise.resolve()
    const next = previous
      .then(() => trust.admit(id, message))
      .then(
        (applied) => {
          if (!applied) return
          this.#lastSyncedAt[id] = this.#wallClock()
          const { update, device, signature } = message
          const signed =
            device !== undefined && signature !== undefined ? { device, signature } : {}
          this.#send(from, { type: 'update', conversationId: id, update, ...signed })
        },
        (error: unknown) => this.#events.emit('error', { error }),
      )
      .finally(() => {
        if (this.#admitting.get(id) === next) this.#admitting.delete(id)
      })
    this.#admitting.set(id, next)
  }

  #received(conversationId: ConversationId, update: Uint8Array): void {
    this.#lastSyncedAt[conversationId] = this.#wallClock()
    this.#events.emit('received', { conversationId, update })
  }

  /** A peer appeared: exchange state vectors and tell it who is here. */
  #greet(transport: Transport, peer: PeerId, conversationId?: ConversationId): void {
    const sessions =
      conversationId === undefined
        ? [...this.#joined.values()].map((j) => j.document)
        : [this.#joined.get(conversationId)?.document]
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
      const session = this.#joined.get(id)?.document
      if (clients === undefined || session === undefined) continue
      this.#clientsByPeer.get(id)?.delete(peer)
      removeAwarenessStates(session.awareness, [...clients], 'peer-left')
    }
  }

  #resyncAll(transport: Transport): void {
    for (const { document } of this.#joined.values()) this.#request(transport, document)
  }

  #request(transport: Transport, session: PeerDocument, to?: PeerId): void {
    if (this.#trust !== undefined && transport.signed) return
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
    for (const transport of this.#transports) {
      if (transport !== except) this.#out(transport, message)
    }
  }
}
