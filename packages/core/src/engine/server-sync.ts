// The durable half of sync with the server (the live half is PeerSync over transports): drain
// the outbox into the server log, and catch up from the server's snapshot + log after a local
// cursor. Policy only; the I/O is the RemoteLog. See docs/ENGINE.md.
//
// - Push: oldest outbox entries first, batched per conversation within the server's limits,
//   idempotent by `clientUpdateId` (= the outbox entry id), retried with exponential backoff and
//   jitter for as long as the entry is kept. A permanent rejection marks the entry and its
//   messages `failed` with the reason. A message is `sent` only once the push returned its seq.
// - Catch-up: on start, on reconnect, when a conversation is opened, and on inbox notices. Paged;
//   the cursor is stored with each page's updates (one transaction), so an interrupted catch-up
//   resumes where it stopped. A device with no cursor starts from the server's snapshot.
import { Emitter, type Listener } from '../emitter.js'
import type { ConversationId } from '../ids.js'
import type { MessageFailure } from './engine-types.js'
import type { OutboxPort } from './outbox-port.js'
import {
  REMOTE_LOG_LIMITS,
  type ClientUpdateId,
  type RemoteLog,
  type RemotePushEntry,
} from '../ports/remote-log.js'
import type { DeviceSigner } from './device-signer.js'
import { isRemoteLogError } from '../ports/remote-log-error.js'
import { createRetryPolicy, type RetryPolicy } from '../ports/retry-policy.js'
import type { ServerSyncEvents } from './server-sync-events.js'
import type { OutboxEntry } from '../ports/storage-records.js'
import { SyncCursors, type SyncCursor } from './sync-cursor.js'
import type { SyncDocuments } from './sync-documents.js'

export { readSyncCursor, type SyncCursor } from './sync-cursor.js'
export type { ServerSyncEvents } from './server-sync-events.js'

/** What ServerSync works on: the server, and the engine's outbox and documents. */
export interface ServerSyncPorts {
  remote: RemoteLog
  outbox: OutboxPort
  documents: SyncDocuments
  /** This device: registered with the server before the first push, signs every push. */
  signer: PushSigner
  wallClock: () => number
}

/** What ServerSync needs of the device's signer (docs/TRUST.md). */
export type PushSigner = Pick<
  DeviceSigner,
  'device' | 'publicKey' | 'unregistered' | 'registered' | 'sign'
>

/** Options of {@link ServerSync}. */
export interface ServerSyncOptions {
  /** Backoff of failed pushes. Default: 500 ms base, 30 s cap, full jitter, forever. */
  retry?: RetryPolicy
  /** Updates per pull page. Default 500. */
  pullLimit?: number
  /**
   * After a catch-up, when the newest snapshot is this many updates behind the log, the device
   * asks the server's compactor for a new one (`requestCompaction`), so a new device loads one
   * snapshot instead of the whole log. Default 1,000.
   */
  snapshotEvery?: number
}

/**
 * Drains the outbox and catches up with the server. Owned by the engine, which listens to its
 * events (`acknowledged`, `rejected`, `created`, `status-changed`, `error`); it owns its cursors,
 * its running pushes and pulls, and its retry timer.
 */
export class ServerSync {
  readonly #remote: RemoteLog
  readonly #outbox: OutboxPort
  readonly #documents: SyncDocuments
  readonly #signer: PushSigner
  readonly #compactionAskedAt = new Map<ConversationId, number>()
  readonly #wallClock: () => number
  readonly #events = new Emitter<ServerSyncEvents>()
  readonly #cursors: SyncCursors
  readonly #retry: RetryPolicy
  readonly #pullLimit: number
  readonly #snapshotEvery: number
  readonly #snapshotSeq = new Map<ConversationId, number>()
  readonly #pulls = new Map<ConversationId, Promise<void>>()
  readonly #pullAgain = new Set<ConversationId>()
  readonly #lastSyncedAt: Record<string, number> = {}
  readonly #off: (() => void)[] = []
  #draining: Promise<void> | undefined
  #drainAgain = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  #network = true

  constructor(ports: ServerSyncPorts, options: ServerSyncOptions = {}) {
    this.#remote = ports.remote
    this.#outbox = ports.outbox
    this.#documents = ports.documents
    this.#signer = ports.signer
    this.#wallClock = ports.wallClock
    this.#cursors = new SyncCursors(ports.documents)
    this.#retry = options.retry ?? createRetryPolicy()
    this.#pullLimit = Math.min(options.pullLimit ?? 500, REMOTE_LOG_LIMITS.maxPullLimit)
    this.#snapshotEvery = options.snapshotEvery ?? 1000
    const remote = ports.remote
    this.#off.push(
      remote.on('conversation-updated', ({ conversationId, seq }) => {
        const known = this.#cursors.peek(conversationId)
        if (known === undefined || seq > known.seq) void this.catchUp(conversationId)
      }),
      remote.on('conversation-joined', ({ conversationId }) => void this.catchUp(conversationId)),
      remote.on('inbox-status', ({ status }) => {
        if (status === 'online') this.resync()
        this.#statusChanged()
      }),
      remote.on('error', ({ error }) => this.#report(error)),
    )
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof ServerSyncEvents>(
    event: E,
    listener: Listener<ServerSyncEvents, E>,
  ): () => void {
    return this.#events.on(event, listener)
  }

  /** Whether a push or a pull is running. */
  get busy(): boolean {
    return this.#draining !== undefined || this.#pulls.size > 0
  }

  /** Whether the server channel is up (and the browser reports a network). */
  get online(): boolean {
    return this.#network && this.#remote.inboxStatus === 'online'
  }

  /** What the browser says of the network: while down, no push and no pull; when back, a resync. */
  setNetwork(available: boolean): void {
    if (available === this.#network) return
    this.#network = available
    if (!available && this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (available) this.resync()
    this.#statusChanged()
  }

  /** Per conversation, the last time a catch-up completed (ms). */
  lastSyncedAt(): Record<string, number> {
    return { ...this.#lastSyncedAt }
  }

  /** Everything again: the server's conversation list, a catch-up of each, then the outbox. */
  resync(): void {
    if (!this.#network) return
    this.#remote
      .listConversations()
      .then(async (list) => {
        for (const remote of list) {
          if (remote.snapshotUptoSeq !== null)
            this.#snapshotSeq.set(remote.id, remote.snapshotUptoSeq)
          const cursor = await this.#cursors.get(remote.id)
          if (!cursor.known) this.#remember(remote.id, { ...cursor, known: true })
          if (remote.lastSeq > cursor.seq) void this.catchUp(remote.id)
        }
      })
      .catch((error: unknown) => this.#report(error))
      .finally(() => this.drain())
  }

  /** Marks a conversation as known to the server (it was joined, not created here). */
  async markKnown(id: ConversationId): Promise<void> {
    const cursor = await this.#cursors.get(id)
    if (!cursor.known) await this.#cursors.save(id, { ...cursor, known: true })
  }

  /** Pulls what the server has after the local cursor. Concurrent calls share one run. */
  catchUp(id: ConversationId): Promise<void> {
    if (this.#closed || !this.#network) return Promise.resolve()
    const running = this.#pulls.get(id)
    if (running) {
      // A notice that arrives mid-pull may name a seq the running pull has already passed by.
      this.#pullAgain.add(id)
      return running
    }
    const run = this.#pull(id)
      .catch((error: unknown) => this.#report(error))
      .finally(() => {
        this.#pulls.delete(id)
        this.#statusChanged()
        if (this.#pullAgain.delete(id)) void this.catchUp(id)
      })
    this.#pulls.set(id, run)
    this.#statusChanged()
    return run
  }

  /** Pushes the outbox now (coalesces with a running drain). */
  drain(): Promise<void> {
    if (this.#closed || !this.#network) return Promise.resolve()
    if (this.#draining) {
      this.#drainAgain = true
      return this.#draining
    }
    this.#draining = this.#drainLoop()
      .catch((error: unknown) => this.#report(error))
      .finally(() => {
        this.#draining = undefined
        this.#statusChanged()
        if (this.#drainAgain) {
          this.#drainAgain = false
          void this.drain()
        }
      })
    this.#statusChanged()
    return this.#draining
  }

  /** Stops timers and listeners; the remote log is closed by its owner. Idempotent. */
  close(): void {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    for (const off of this.#off.splice(0)) off()
  }

  async #drainLoop(): Promise<void> {
    while (!this.#closed && this.#network) {
      const now = this.#wallClock()
      const entries = await this.#outbox.list({ limit: 500 })
      const waiting = entries.filter((e) => e.status !== 'failed')
      const ready = waiting.filter((e) => (e.nextAttemptAt ?? 0) <= now)
      if (ready.length === 0) {
        const next = Math.min(...waiting.map((e) => e.nextAttemptAt ?? now))
        if (Number.isFinite(next)) this.#schedule(Math.max(0, next - now))
        return
      }
      const id = ready[0]!.conversationId
      const batch = takeBatch(ready.filter((e) => e.conversationId === id))
      try {
        await this.#ensureKnown(id)
        await this.#ensureRegistered()
        const results = await this.#remote.push(id, await this.#signed(id, batch))
        if (results.length !== batch.length) throw new Error('push answered a different count')
        await this.#acknowledge(id, batch)
        await this.#advancePastOwn(
          id,
          results.map((r) => r.seq),
        )
      } catch (error) {
        if (isRemoteLogError(error) && !error.retryable) {
          await this.#reject(id, batch, error)
          continue
        }
        // Offline, server down, token expired: back off and keep every entry.
        const attempts = (batch[0]?.attempts ?? 0) + 1
        const delay = this.#retry.delayMs(attempts - 1)
        await this.#outbox.postpone(batch, { attempts, nextAttemptAt: this.#wallClock() + delay })
        this.#schedule(delay)
        this.#report(error)
        return
      }
    }
  }

  /**
   * Our own pushes need not come back in a pull: when the seqs they got directly follow the
   * cursor (nobody else pushed in between), the document already holds everything up to the
   * last of them, so the cursor moves there.
   */
  async #advancePastOwn(id: ConversationId, seqs: number[]): Promise<void> {
    if (this.#pulls.has(id)) return // a pull is moving the cursor; let it
    const cursor = await this.#cursors.get(id)
    const sorted = [...new Set(seqs)].sort((a, b) => a - b)
    let next = cursor.seq
    for (const seq of sorted) {
      if (seq <= next) continue
      if (seq !== next + 1) break
      next = seq
    }
    if (next > cursor.seq) await this.#cursors.save(id, { ...cursor, seq: next })
  }

  /** A permanent refusal: find the guilty entry when a batch was refused, fail only it. */
  async #reject(id: ConversationId, batch: OutboxEntry[], error: unknown): Promise<void> {
    if (batch.length > 1) {
      for (const entry of batch) {
        try {
          await this.#remote.push(id, await this.#signed(id, [entry]))
          await this.#acknowledge(id, [entry])
        } catch (single) {
          if (isRemoteLogError(single) && !single.retryable) await this.#reject(id, [entry], single)
          else throw single
        }
      }
      return
    }
    const failure: MessageFailure = isRemoteLogError(error)
      ? { code: error.code, message: error.message }
      : { code: 'unknown', message: String(error) }
    await this.#outbox.reject(batch, failure)
    this.#events.emit('rejected', { conversationId: id, entries: batch, failure })
  }

  async #acknowledge(id: ConversationId, entries: OutboxEntry[]): Promise<void> {
    await this.#outbox.acknowledge(entries)
    this.#events.emit('acknowledged', { conversationId: id, entries })
  }

  /** Push entries of outbox entries, each signed by this device. */
  async #signed(id: ConversationId, entries: readonly OutboxEntry[]): Promise<RemotePushEntry[]> {
    const signer = this.#signer
    return Promise.all(
      entries.map(async (e) => ({
        clientUpdateId: e.id as ClientUpdateId,
        update: e.update,
        device: signer.device,
        signature: await signer.sign(id, e.update),
      })),
    )
  }

  /** The server binds this device's new client ids before an update made under them arrives. */
  async #ensureRegistered(): Promise<void> {
    const signer = this.#signer
    const clientIds = signer.unregistered
    if (clientIds.length === 0) return
    await this.#remote.registerDevice({ id: signer.device, publicKey: signer.publicKey, clientIds })
    await signer.registered()
  }

  /** A conversation created on this device (maybe offline) is created on the server first. */
  async #ensureKnown(id: ConversationId): Promise<void> {
    const cursor = await this.#cursors.get(id)
    if (cursor.known) return
    const meta = await this.#documents.meta(id)
    await this.#remote.createConversation({
      id,
      ...(meta.title !== undefined ? { title: meta.title } : {}),
      ...(meta.kind !== undefined ? { kind: meta.kind } : {}),
    })
    await this.#cursors.save(id, { ...(await this.#cursors.get(id)), known: true })
    this.#events.emit('created', { conversationId: id })
  }

  async #pull(id: ConversationId): Promise<void> {
    const remote = this.#remote
    let cursor = await this.#cursors.get(id)
    await this.#documents.open(id)
    if (cursor.seq === 0) {
      const snapshot = await remote.getSnapshot(id)
      if (snapshot !== null) {
        cursor = { seq: snapshot.uptoSeq, known: true }
        this.#snapshotSeq.set(id, snapshot.uptoSeq)
        await this.#documents.applySnapshot(id, snapshot.state, cursor)
        this.#cursors.set(id, cursor)
      }
    }
    for (;;) {
      let page
      try {
        page = await remote.pull(id, cursor.seq, { limit: this.#pullLimit })
      } catch (error) {
        if (isRemoteLogError(error, 'history-pruned') && cursor.seq !== 0) {
          // Our cursor is older than what the server keeps: restart from its snapshot.
          await this.#cursors.save(id, { ...cursor, seq: 0 })
          return this.#pull(id)
        }
        throw error
      }
      const next: SyncCursor = { seq: Math.max(cursor.seq, page.lastSeq), known: true }
      if (page.updates.length > 0 || next.seq !== cursor.seq) {
        const saved = await this.#documents.applyRemote(id, page.updates, next)
        this.#cursors.set(id, saved)
      }
      cursor = next
      if (!page.hasMore) break
    }
    this.#lastSyncedAt[id] = this.#wallClock()
    if (cursor.seq - (this.#snapshotSeq.get(id) ?? 0) >= this.#snapshotEvery)
      this.#askCompaction(id)
  }

  /**
   * Asks the server's compactor for a snapshot (members cannot write one): at most once a minute
   * per conversation from this device; the server rate-limits across devices too.
   */
  #askCompaction(id: ConversationId): void {
    const now = this.#wallClock()
    if (now - (this.#compactionAskedAt.get(id) ?? -Infinity) < 60_000) return
    this.#compactionAskedAt.set(id, now)
    this.#remote.requestCompaction(id).catch((error: unknown) => this.#report(error))
  }

  #remember(id: ConversationId, cursor: SyncCursor): void {
    this.#cursors.save(id, cursor).catch((error: unknown) => this.#report(error))
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.drain()
    }, delayMs)
  }

  #statusChanged(): void {
    this.#events.emit('status-changed', { online: this.online, busy: this.busy })
  }

  #report(error: unknown): void {
    if (!this.#closed) this.#events.emit('error', { error })
  }
}

/** The oldest entries of one conversation that fit one push (server batch limits). */
function takeBatch(entries: readonly OutboxEntry[]): OutboxEntry[] {
  const batch: OutboxEntry[] = []
  let bytes = 0
  for (const entry of entries) {
    if (batch.length >= REMOTE_LOG_LIMITS.maxBatchUpdates) break
    if (batch.length > 0 && bytes + entry.update.byteLength > REMOTE_LOG_LIMITS.maxBatchBytes) break
    batch.push(entry)
    bytes += entry.update.byteLength
  }
  return batch
}
