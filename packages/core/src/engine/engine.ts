// The engine: one per browser, in the worker. It owns the hot set of conversation documents, the
// write path to storage (every local change durable before the intent resolves), the outbox, and
// the wiring to transports. Pure TypeScript, no DOM. See docs/ENGINE.md.
import * as Y from 'yjs'
import { Emitter } from '../emitter.js'
import { ParleyError } from '../errors.js'
import { HybridLogicalClock } from '../hlc.js'
import { parseHlcStamp } from '../hlc-stamp.js'
import {
  asConversationId,
  asUserId,
  asDeviceId,
  type ConversationId,
  type DeviceId,
  type HlcStamp,
  type MessageId,
  type UserId,
} from '../ids.js'
import type { SendInput, EditInput } from '../conversation-doc-options.js'
import type { PageCursor } from '../message-view.js'
import type { ConversationKind } from '../schema.js'
import { LOCAL_ORIGIN, type TransactionOrigin } from '../transaction-origin.js'
import { ConversationSession } from './conversation-session.js'
import type { EngineEvents } from './engine-events.js'
import type { EngineOptions } from './engine-options.js'
import type {
  ConversationState,
  ConversationSummary,
  MessageFailure,
  MessageItem,
  MessageItemPage,
  SyncStatus,
} from './engine-types.js'
import { RecencyList } from './lru.js'
import { PeerSync } from './peer-sync.js'
import type { RemoteInvite } from './remote-log.js'
import { ServerSync, type SyncCursor } from './server-sync.js'
import { isStorageError } from './storage-error.js'
import type { StorageAdapter } from './storage-adapter.js'
import type { ConversationIndexEntry, NewOutboxEntry, OutboxEntry } from './storage-records.js'
import { readTailRecord } from './tail-record.js'
import { WriteQueue, type CommittedBatch } from './write-queue.js'

const DEFAULTS = {
  maxOpenConversations: 16,
  compactAfter: 500,
  tailSize: 50,
  typingTimeoutMs: 5000,
  deliveredDelayMs: 100,
}

/** What the engine keeps in an index entry's `extra`. */
interface IndexExtra {
  kind?: ConversationKind
  lastAuthor?: UserId
}

/**
 * Parley's engine. Create it with {@link Engine.open}; every intent (`send`, `edit`, `react`,
 * `markRead`…) resolves once the change is durable in storage, and rejects with the storage's
 * typed error otherwise (the message then shows `failed` and `retry` can save it again).
 */
export class Engine {
  /** The local user. */
  readonly user: UserId
  /** This browser profile's device id (from storage). */
  readonly device: DeviceId
  /** The device clock shared by every conversation. */
  readonly clock: HybridLogicalClock
  readonly #storage: StorageAdapter
  readonly #options: Required<
    Omit<
      EngineOptions,
      'storage' | 'user' | 'transports' | 'onError' | 'remote' | 'serverSync' | 'displayName'
    >
  >
  readonly #events: Emitter<EngineEvents>
  readonly #onError: (error: unknown) => void
  readonly #sessions = new Map<ConversationId, ConversationSession>()
  readonly #opening = new Map<ConversationId, Promise<ConversationSession>>()
  readonly #recency = new RecencyList<ConversationId>()
  readonly #pins = new Map<ConversationId, number>()
  readonly #queue: WriteQueue
  readonly #sync: PeerSync
  readonly #dirty = new Set<ConversationId>()
  readonly #lastSyncedAt: Record<string, number> = {}
  readonly #server: ServerSync | undefined
  readonly #remoteLog: EngineOptions['remote']
  readonly #displayName: string | undefined
  readonly #deliveredTimers = new Map<ConversationId, ReturnType<typeof setTimeout>>()
  /** Outbox entries the server refused for good: kept (they carry the failure), not pending. */
  #rejectedOutbox = 0
  /** Outbox entries per conversation (hydration skips the outbox query when there are none). */
  readonly #outboxByConversation = new Map<ConversationId, number>()
  #failedCount = 0
  #lastWrite: Promise<void> | undefined
  #presence: 'online' | 'away' = 'online'
  #closed = false

  private constructor(options: EngineOptions, device: DeviceId, outbox: readonly OutboxEntry[]) {
    for (const entry of outbox) {
      if (entry.status === 'failed') this.#rejectedOutbox++
      const id = entry.conversationId as ConversationId
      this.#outboxByConversation.set(id, (this.#outboxByConversation.get(id) ?? 0) + 1)
    }
    this.user = asUserId(String(options.user))
    this.#displayName = options.displayName
    this.device = device
    this.#storage = options.storage
    this.#options = {
      maxOpenConversations: options.maxOpenConversations ?? DEFAULTS.maxOpenConversations,
      compactAfter: options.compactAfter ?? DEFAULTS.compactAfter,
      tailSize: options.tailSize ?? DEFAULTS.tailSize,
      typingTimeoutMs: options.typingTimeoutMs ?? DEFAULTS.typingTimeoutMs,
      deliveredDelayMs: options.deliveredDelayMs ?? DEFAULTS.deliveredDelayMs,
      wallClock: options.wallClock ?? Date.now,
      maxDriftMs: options.maxDriftMs ?? 60_000,
      newConversationId:
        options.newConversationId ?? (() => asConversationId(globalThis.crypto.randomUUID())),
    }
    const userOnError = options.onError
    this.#onError = (error) => {
      userOnError?.(error)
      if (this.#events?.has('error')) this.#events.emit('error', { error })
    }
    this.#events = new Emitter(this.#onError)
    this.clock = new HybridLogicalClock({
      device,
      wallClock: this.#options.wallClock,
      maxDriftMs: this.#options.maxDriftMs,
      onError: this.#onError,
    })
    this.#queue = new WriteQueue(
      this.#storage,
      (id) => this.#derived(id),
      (batch) => this.#committed(batch),
      {
        collapse: (id, updates) => this.#collapse(id, updates),
        mergeOutbox: (id, entries) => this.#mergeOutbox(id, entries),
      },
    )
    this.#sync = new PeerSync({
      transports: options.transports ?? [],
      session: (id) => this.#sessions.get(id),
      received: (session, update, origin) => this.#persistRemote(session, update, origin),
      changed: (id) => this.#markDirty(id),
      onError: this.#onError,
    })
    this.#storage.on('error', ({ error }) => this.#onError(error))
    const remote = options.remote
    this.#remoteLog = remote
    this.#server =
      remote === undefined
        ? undefined
        : new ServerSync(
            {
              storage: this.#storage,
              remote,
              session: (id) => this.#session(id),
              applyRemote: (session, updates, cursor) =>
                this.#applyServer(session, updates, cursor),
              saveCursor: (id, cursor) =>
                this.#queue.enqueue({ conversationId: id, updates: [], cursor }),
              acknowledged: (id, entries) => this.#acknowledged(id, entries),
              rejected: (id, entries, failure) => {
                const session = this.#sessions.get(id)
                this.#rejectedOutbox += entries.length
                const ids = entries.flatMap((e) => outboxMessageIds(e.meta))
                if (session) this.#fail(session, ids, undefined, failure)
              },
              created: (id) => {
                const session = this.#sessions.get(id)
                if (session) this.#sync.rejoin(session)
              },
              statusChanged: () => this.#emitStatus(),
              wallClock: this.#options.wallClock,
              onError: this.#onError,
            },
            options.serverSync,
          )
    this.#server?.resync()
  }

  /** Opens an engine on `options.storage`: reads the device identity and the outbox size. */
  static async open(options: EngineOptions): Promise<Engine> {
    const identity = await options.storage.getOrCreateDevice()
    const outbox = await options.storage.listOutbox()
    return new Engine(options, asDeviceId(identity.deviceId), outbox)
  }

  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends keyof EngineEvents>(
    event: E,
    listener: (payload: EngineEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  // ── conversations ──────────────────────────────────────────────────────────────────────────

  /** The conversation list from the index (no document is opened), newest activity first. */
  async listConversations(limit?: number): Promise<ConversationSummary[]> {
    this.#assertOpen()
    const entries = await this.#storage.listIndex(limit === undefined ? {} : { limit })
    return entries.map(toSummary)
  }

  /**
   * Creates a conversation with this user as owner; resolves once it is durable. Pass `id` to
   * create one whose id was chosen elsewhere (idempotent: an existing conversation is returned).
   */
  async createConversation(input: {
    title?: string
    kind?: ConversationKind
    id?: ConversationId | string
  }): Promise<ConversationSummary> {
    this.#assertOpen()
    const id =
      input.id === undefined ? this.#options.newConversationId() : asConversationId(input.id)
    const session = await this.#session(id)
    if (session.doc.meta().createdBy === undefined) {
      await this.#write(() =>
        session.doc.initialize({
          kind: input.kind ?? 'group',
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(this.#displayName !== undefined ? { name: this.#displayName } : {}),
        }),
      )
    }
    return toSummary(this.#indexEntry(session))
  }

  /**
   * The state of a conversation for a first paint: from memory when it is hot, otherwise from the
   * stored tail record (one small read, whatever the conversation's length), hydrating it in the
   * background. A conversation without a tail is hydrated first.
   */
  async conversationState(conversationId: ConversationId | string): Promise<ConversationState> {
    this.#assertOpen()
    const id = asConversationId(String(conversationId))
    const hot = this.#sessions.get(id)
    if (hot) {
      this.#recency.touch(id)
      return hot.state(this.#options.tailSize)
    }
    const tail = readTailRecord(await this.#storage.getTail(id))
    if (tail === undefined) return (await this.#session(id)).state(this.#options.tailSize)
    // Hydrate off the paint path; errors surface through onError and the next call.
    this.#session(id).catch(this.#onError)
    return Object.freeze({
      id,
      meta: tail.meta,
      page: Object.freeze({ messages: tail.messages, hasBefore: tail.hasBefore, hasAfter: false }),
      unreadCount: tail.unreadCount,
      presence: [],
      members: [],
      fromTail: true,
    })
  }

  /** A page of messages before or after a cursor (hydrates the conversation). */
  async page(
    conversationId: ConversationId | string,
    query: { before?: PageCursor; after?: PageCursor; limit: number },
  ): Promise<MessageItemPage> {
    const session = await this.#session(asConversationId(String(conversationId)))
    const { doc } = session
    const page =
      query.before !== undefined
        ? doc.pageBefore(query.before, query.limit)
        : query.after !== undefined
          ? doc.pageAfter(query.after, query.limit)
          : doc.lastPage(query.limit)
    return session.itemPage(page)
  }

  /**
   * Keeps a conversation hot (not evicted) while a UI shows it; returns the release function.
   * Joins it on every transport, so peers' live updates and presence flow.
   */
  async retain(conversationId: ConversationId | string): Promise<() => void> {
    const id = asConversationId(String(conversationId))
    await this.#session(id)
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#pins.get(id) ?? 1) - 1
      if (left <= 0) this.#pins.delete(id)
      else this.#pins.set(id, left)
      this.#evict()
    }
  }

  // ── intents ────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a message; resolves with it once it is durable locally (status `sending` until the
   * server holds it). A retried send with the same `input.id` returns the existing message.
   */
  async send(conversationId: ConversationId | string, input: SendInput): Promise<MessageItem> {
    const session = await this.#session(asConversationId(String(conversationId)))
    const existing = input.id === undefined ? undefined : session.doc.message(input.id)
    if (existing !== undefined) return session.item(existing)
    const view = await this.#write(() => session.doc.send(input))
    return session.item(session.doc.message(view.id) ?? view)
  }

  /** Edits one of the user's messages; resolves once durable. */
  async edit(
    conversationId: ConversationId | string,
    messageId: MessageId,
    input: EditInput,
  ): Promise<MessageItem> {
    const session = await this.#session(asConversationId(String(conversationId)))
    const view = await this.#write(() => session.doc.edit(messageId, input))
    return session.item(view)
  }

  /** Deletes one of the user's messages (its body is erased from the document); resolves once durable. */
  async delete(conversationId: ConversationId | string, messageId: MessageId): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    await this.#write(() => session.doc.delete(messageId))
  }

  /** Adds a reaction of the user; resolves once durable. */
  async react(
    conversationId: ConversationId | string,
    messageId: MessageId,
    reaction: string,
  ): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    await this.#write(() => session.doc.react(messageId, reaction))
  }

  /** Removes a reaction of the user; resolves once durable. */
  async unreact(
    conversationId: ConversationId | string,
    messageId: MessageId,
    reaction: string,
  ): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    await this.#write(() => session.doc.unreact(messageId, reaction))
  }

  /** Moves this device's read cursor (default: now, i.e. everything received); resolves once durable. */
  async markRead(conversationId: ConversationId | string, upTo?: HlcStamp): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    await this.#write(() => session.doc.markRead(upTo))
  }

  /** Moves this device's delivered cursor (default: now); resolves once durable. */
  async markDelivered(conversationId: ConversationId | string, upTo?: HlcStamp): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    await this.#write(() => session.doc.markDelivered(upTo))
  }

  /** Shows (or clears) this device's typing indicator in a conversation; it expires on its own. */
  async setTyping(conversationId: ConversationId | string, typing: boolean): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    const until = typing ? this.#options.wallClock() + this.#options.typingTimeoutMs : 0
    session.setLocalAwareness({ typingUntil: until })
  }

  /** Sets this device's presence status in every open conversation. */
  setPresence(status: 'online' | 'away'): void {
    this.#presence = status
    for (const session of this.#sessions.values()) session.setLocalAwareness({ status })
  }

  /**
   * Saves again the changes of a `failed` message that never became durable (e.g. after the
   * user freed space). Resolves once durable; rejects with the storage error otherwise.
   */
  async retry(conversationId: ConversationId | string, messageId?: MessageId): Promise<void> {
    const session = await this.#session(asConversationId(String(conversationId)))
    const entries = session.unsaved.filter(
      (u) => messageId === undefined || u.messageIds.includes(messageId),
    )
    if (entries.length === 0) return
    const ids = entries.flatMap((u) => u.messageIds)
    try {
      await this.#queue.enqueue({
        conversationId: session.id,
        updates: entries.map((u) => u.update),
        outbox: entries.map((u) => this.#outboxEntry(session.id, u.update, u.messageIds)),
      })
    } catch (error) {
      this.#fail(session, ids, error)
      throw error
    }
    for (const entry of entries) session.unsaved.splice(session.unsaved.indexOf(entry), 1)
    for (const id of ids) if (session.failed.delete(id)) this.#failedCount--
    this.#markDirty(session.id)
    this.#emitStatus()
  }

  // ── status and lifetime ────────────────────────────────────────────────────────────────────

  /** Pending, unsaved and failed counts, connectivity and last sync times. */
  syncStatus(): SyncStatus {
    const server = this.#server
    const online = server !== undefined ? server.online : this.#sync.online
    const syncing = server !== undefined && server.busy
    return Object.freeze({
      state: !online ? 'offline' : syncing ? 'syncing' : 'online',
      pending: this.#pendingOutbox(),
      unsaved: this.#queue.waiting,
      failed: this.#failedCount,
      lastSyncedAt: { ...this.#lastSyncedAt, ...server?.lastSyncedAt() },
    })
  }

  /**
   * Display names of users as this device knows them: from the members of open conversations
   * (each member records its own name when it joins) and this user's own name.
   */
  displayNames(userIds: readonly string[]): Record<string, string> {
    const wanted = new Set(userIds)
    const names: Record<string, string> = {}
    if (this.#displayName !== undefined && wanted.has(this.user))
      names[this.user] = this.#displayName
    for (const session of this.#sessions.values()) {
      for (const member of session.doc.members()) {
        const name = member.name
        if (
          wanted.has(member.user) &&
          typeof name === 'string' &&
          names[member.user] === undefined
        ) {
          names[member.user] = name
        }
      }
    }
    return names
  }

  // ── membership (needs `EngineOptions.remote`) ──────────────────────────────────────────────

  /** Creates an invite code (and link, when the server gives one) for a conversation. */
  async createInvite(conversationId: ConversationId | string): Promise<RemoteInvite> {
    const id = asConversationId(String(conversationId))
    const server = this.#requireServer()
    // The server must know the conversation before it can invite to it.
    await server.drain()
    return this.#remote().createInvite(id)
  }

  /** Joins a conversation by invite code; resolves once its history is caught up. */
  async joinConversation(code: string): Promise<ConversationSummary> {
    const server = this.#requireServer()
    const joined = await this.#remote().joinConversation(code)
    await server.markKnown(joined.id)
    await server.catchUp(joined.id)
    const session = await this.#session(joined.id)
    if (!session.doc.memberIds().includes(this.user)) {
      await this.#write(() => session.doc.addMember(this.user, 'member', this.#displayName))
    }
    return toSummary(this.#indexEntry(session))
  }

  /** Leaves a conversation on the server and forgets it locally. */
  async leaveConversation(conversationId: ConversationId | string): Promise<void> {
    const id = asConversationId(String(conversationId))
    this.#requireServer()
    await this.#remote().leaveConversation(id)
    const session = this.#sessions.get(id)
    if (session) {
      this.#sync.leave(session)
      session.close()
      this.#sessions.delete(id)
      this.#recency.delete(id)
    }
    await this.#queue.drain()
    await this.#storage.deleteConversation(id)
    this.#events.emit('index-changed', { conversationIds: [id] })
  }

  /**
   * Tells the engine whether the browser has a network (`navigator.onLine`; tabs forward it).
   * While it has none, nothing is sent or pulled and the status says `offline`; when it is back,
   * peers and the server are resynced at once instead of waiting for a socket timeout or backoff.
   */
  setNetwork(available: boolean): void {
    this.#sync.setNetwork(available)
    this.#server?.setNetwork(available)
    this.#emitStatus()
  }

  /** Resolves when every change made so far is durable (or failed). */
  flush(): Promise<void> {
    return this.#queue.drain()
  }

  /** Ids of the conversations currently hydrated in memory (for tests and diagnostics). */
  openConversations(): ConversationId[] {
    return [...this.#sessions.keys()]
  }

  /**
   * Flushes pending writes, closes every conversation and the transports. The storage adapter
   * is the caller's to close. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const timer of this.#deliveredTimers.values()) clearTimeout(timer)
    await this.#queue.drain()
    this.#server?.close()
    this.#remoteLog?.close()
    this.#sync.close()
    for (const session of this.#sessions.values()) session.close()
    this.#sessions.clear()
    this.#events.clear()
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  #assertOpen(): void {
    if (this.#closed) throw new ParleyError('closed', 'the engine is closed')
  }

  /** The hydrated session of a conversation, loading it from storage once. */
  #session(id: ConversationId): Promise<ConversationSession> {
    this.#assertOpen()
    const hot = this.#sessions.get(id)
    if (hot) {
      this.#recency.touch(id)
      return Promise.resolve(hot)
    }
    let opening = this.#opening.get(id)
    if (!opening) {
      opening = this.#hydrate(id).finally(() => this.#opening.delete(id))
      this.#opening.set(id, opening)
    }
    return opening
  }

  async #hydrate(id: ConversationId): Promise<ConversationSession> {
    // An indexed outbox query can be slow after many deletions (tombstones): skip it when the
    // engine knows there is nothing for this conversation.
    const [stored, outbox] = await Promise.all([
      this.#storage.loadDoc(id),
      (this.#outboxByConversation.get(id) ?? 0) > 0
        ? this.#storage.listOutbox({ conversationId: id })
        : Promise.resolve([]),
    ])
    this.#assertOpen()
    const pending = new Set<MessageId>()
    for (const entry of outbox) for (const m of outboxMessageIds(entry.meta)) pending.add(m)
    const failed = outbox.filter((e) => e.status === 'failed')
    const session = ConversationSession.hydrate(
      {
        id,
        user: this.user,
        device: this.device,
        clock: this.clock,
        pending,
        wallClock: this.#options.wallClock,
        onError: this.#onError,
      },
      stored,
      outbox.map((e) => e.update),
    )
    for (const entry of failed) {
      const failure = entry.error ?? { code: 'unknown', message: 'rejected by the server' }
      for (const m of outboxMessageIds(entry.meta)) session.failed.set(m, failure)
    }
    if (this.#presence !== 'online') session.setLocalAwareness({ status: this.#presence })
    this.#wire(session)
    this.#sessions.set(id, session)
    this.#recency.touch(id)
    this.#sync.join(session)
    this.#evict(id)
    void this.#server?.catchUp(id)
    return session
  }

  #wire(session: ConversationSession): void {
    const { doc, id } = session
    doc.on('update', ({ update, origin, messageIds }) =>
      this.#persistLocal(session, update, origin, messageIds),
    )
    const dirty = (): void => this.#markDirty(id)
    doc.on('messages-changed', dirty)
    doc.on('messages-changed', ({ added, origin }) => {
      if (origin.source !== 'local') session.invalidateUnread()
      if (origin.source === 'remote' && added.length > 0) this.#scheduleDelivered(id)
    })
    doc.on('receipts-changed', () => session.invalidateUnread())
    doc.on('receipts-changed', dirty)
    doc.on('meta-changed', dirty)
    doc.on('status-changed', dirty)
    doc.on('members-changed', dirty)
    doc.on('rejected-record', (event) =>
      this.#onError(
        new ParleyError('invalid-update', `rejected ${event.kind} ${event.key}: ${event.reason}`),
      ),
    )
    doc.on('invalid-update', (event) =>
      this.#onError(new ParleyError('invalid-update', `invalid update (${event.reason})`)),
    )
    session.awareness.on('change', dirty)
  }

  /**
   * Runs a local intent and waits until the change it made is durable. The document emits the
   * intent's update synchronously, and `#persistLocal` leaves its commit promise in `#lastWrite`.
   */
  async #write<T>(intent: () => T): Promise<T> {
    this.#assertOpen()
    this.#lastWrite = undefined
    const result = intent()
    const write = this.#lastWrite as Promise<void> | undefined
    this.#lastWrite = undefined
    if (write) await write
    return result
  }

  #persistLocal(
    session: ConversationSession,
    update: Uint8Array,
    origin: TransactionOrigin,
    messageIds: readonly MessageId[],
  ): void {
    if (origin !== LOCAL_ORIGIN && origin.source !== 'local') return
    for (const m of messageIds) session.pending.add(m)
    // Peers see the change at once; durability is awaited by the intent, not by the network.
    this.#sync.broadcast(session.id, update)
    const write = this.#queue
      .enqueue({
        conversationId: session.id,
        updates: [update],
        outbox: [this.#outboxEntry(session.id, update, messageIds)],
      })
      .then(
        () => {
          this.#emitStatus()
          void this.#server?.drain()
        },
        (error: unknown) => {
          session.unsaved.push({ update, messageIds })
          this.#fail(session, messageIds, error)
          throw error
        },
      )
    // The intent awaits it; when nobody does (an awareness-only change), errors still surface.
    write.catch(() => undefined)
    this.#lastWrite = write
    this.#emitStatus()
  }

  #persistRemote(
    session: ConversationSession,
    update: Uint8Array,
    origin: TransactionOrigin,
  ): void {
    this.#queue
      .enqueue({ conversationId: session.id, updates: [update] })
      .catch((error: unknown) => this.#onError(error))
    if (origin.source === 'remote') this.#lastSyncedAt[session.id] = this.#options.wallClock()
  }

  #requireServer(): ServerSync {
    this.#assertOpen()
    if (this.#server === undefined) {
      throw new ParleyError('invalid-argument', 'this engine has no server (EngineOptions.remote)')
    }
    return this.#server
  }

  #remote(): NonNullable<EngineOptions['remote']> {
    return this.#remoteLog!
  }

  /** Applies server updates (snapshot or log page) and stores them with the cursor, atomically. */
  async #applyServer(
    session: ConversationSession,
    updates: Uint8Array[],
    cursor: SyncCursor,
  ): Promise<void> {
    const origin = { source: 'remote', peer: 'server' } as const
    const applied = updates.filter((u) => session.doc.applyUpdate(u, origin).ok)
    await this.#queue.enqueue({ conversationId: session.id, updates: applied, cursor })
  }

  #countOutbox(id: ConversationId, delta: number): void {
    this.#outboxByConversation.set(
      id,
      Math.max(0, (this.#outboxByConversation.get(id) ?? 0) + delta),
    )
  }

  /** Outbox entries waiting for the server: every stored entry but the refused ones. */
  #pendingOutbox(): number {
    let total = 0
    for (const count of this.#outboxByConversation.values()) total += count
    return Math.max(0, total - this.#rejectedOutbox)
  }

  #acknowledged(id: ConversationId, entries: readonly OutboxEntry[]): void {
    this.#countOutbox(id, -entries.length)
    const ids = entries.flatMap((e) => outboxMessageIds(e.meta))
    const session = this.#sessions.get(id)
    if (session) {
      for (const m of ids) session.pending.delete(m)
      session.doc.acknowledge(ids)
      this.#markDirty(id)
    }
    this.#emitStatus()
  }

  /** Every device says "delivered" once it holds a message from someone else (debounced). */
  #scheduleDelivered(id: ConversationId): void {
    if (this.#deliveredTimers.has(id) || this.#closed) return
    const timer = setTimeout(() => {
      this.#deliveredTimers.delete(id)
      if (!this.#closed) this.markDelivered(id).catch(this.#onError)
    }, this.#options.deliveredDelayMs)
    this.#deliveredTimers.set(id, timer)
  }

  /**
   * One log row per conversation per commit: the document's diff from what storage holds (every
   * change applied since, local or remote). A failed commit leaves `persistedSv` behind, so the
   * next commit writes those changes again.
   */
  #collapse(
    id: ConversationId,
    updates: readonly Uint8Array[],
  ): { rows: Uint8Array[]; committed?: () => void } {
    const session = this.#sessions.get(id)
    if (!session) return { rows: [...updates] }
    const row = session.doc.encodeStateAsUpdate(session.persistedSv)
    const sv = session.doc.encodeStateVector()
    return {
      rows: [row],
      committed: () => {
        session.persistedSv = sv
        session.logBytes += row.byteLength
      },
    }
  }

  /**
   * One outbox entry per conversation per commit: this replica's own changes since the last
   * outbox entry (never what arrived from others: re-pushing that would grow the server log). A
   * failed commit leaves `outboxClock` behind, so the next one carries those changes.
   */
  #mergeOutbox(
    id: ConversationId,
    entries: readonly NewOutboxEntry[],
  ): { entry: NewOutboxEntry; committed?: () => void } {
    const session = this.#sessions.get(id)
    if (!session) return { entry: mergeOutboxEntries(entries) }
    const first = entries[0]!
    const clock = session.localClock()
    return {
      entry: {
        id: first.id,
        conversationId: first.conversationId,
        update: session.localChangesSince(session.outboxClock),
        createdAt: first.createdAt,
        meta: { messageIds: entries.flatMap((e) => outboxMessageIds(e.meta)) },
      },
      committed: () => {
        session.outboxClock = Math.max(session.outboxClock, clock)
      },
    }
  }

  #outboxEntry(
    conversationId: ConversationId,
    update: Uint8Array,
    messageIds: readonly MessageId[],
  ): NewOutboxEntry {
    return {
      id: globalThis.crypto.randomUUID(),
      conversationId,
      update,
      createdAt: this.#options.wallClock(),
      meta: { messageIds: [...messageIds] },
    }
  }

  #fail(
    session: ConversationSession,
    messageIds: readonly MessageId[],
    error: unknown,
    known?: MessageFailure,
  ): void {
    const failure: MessageFailure =
      known ??
      (isStorageError(error)
        ? { code: error.code, message: error.message }
        : { code: 'unknown', message: String(error) })
    for (const id of messageIds) {
      if (!session.failed.has(id)) this.#failedCount++
      session.failed.set(id, failure)
    }
    if (messageIds.length > 0) {
      this.#events.emit('message-failed', { conversationId: session.id, messageIds, failure })
    }
    this.#markDirty(session.id)
    this.#emitStatus()
  }

  /** Tail and index entry of a conversation, computed once per commit batch. */
  #derived(id: ConversationId): { tail?: unknown; indexEntry?: ConversationIndexEntry } {
    const session = this.#sessions.get(id)
    if (!session) return {}
    return { tail: session.tail(this.#options.tailSize), indexEntry: this.#indexEntry(session) }
  }

  #indexEntry(session: ConversationSession): ConversationIndexEntry {
    const meta = session.doc.meta()
    const last = session.doc.lastPage(1).messages[0]
    const stamp = last?.hlc ?? meta.createdAt
    const parsed = stamp === undefined ? undefined : parseHlcStamp(stamp)
    const extra: IndexExtra = {
      ...(meta.kind !== undefined ? { kind: meta.kind } : {}),
      ...(last !== undefined ? { lastAuthor: last.author } : {}),
    }
    return {
      id: session.id,
      title: meta.title ?? '',
      lastMessagePreview: last === undefined || last.deleted ? '' : last.text.slice(0, 120),
      lastActivity: parsed?.ok ? parsed.value.ms : 0,
      unreadCount: session.unreadCount(),
      extra,
    }
  }

  #committed(batch: CommittedBatch): void {
    for (const [id, count] of batch.outboxWritten) {
      this.#countOutbox(id, count)
    }
    const ids: ConversationId[] = []
    for (const [id, { count, lastKey }] of batch.appended) {
      ids.push(id)
      const session = this.#sessions.get(id)
      if (!session || count === 0) continue
      session.logRows += count
      if (lastKey !== null) session.lastKey = lastKey
      // Re-encoding a large document costs ~17 ms per MB, so a big snapshot is rewritten only
      // once the log is a fair share of it (or far past the row bound).
      const rowsDue = session.logRows >= this.#options.compactAfter
      const bytesDue = session.logBytes * 8 >= session.snapshotBytes
      if ((rowsDue && bytesDue) || session.logRows >= this.#options.compactAfter * 4) {
        this.#compact(session)
      }
    }
    this.#events.emit('index-changed', { conversationIds: ids })
  }

  /**
   * Folds the log into the snapshot: re-encode the document (never `Y.mergeUpdates` over
   * thousands of updates, PERFORMANCE.md §8.4) and trim the rows it contains, in one transaction.
   */
  #compact(session: ConversationSession): void {
    if (session.compacting || session.lastKey === null) return
    session.compacting = true
    const rows = session.logRows
    const upTo = session.lastKey as Parameters<StorageAdapter['compact']>[1]['upTo']
    const snapshot = session.doc.encodeStateAsUpdate()
    this.#storage
      .compact(session.id, { snapshot, upTo })
      .then(() => {
        session.logRows -= rows
        session.logBytes = 0
        session.snapshotBytes = snapshot.byteLength
      })
      .catch(this.#onError)
      .finally(() => {
        session.compacting = false
      })
  }

  #markDirty(id: ConversationId): void {
    if (this.#dirty.size === 0) {
      queueMicrotask(() => {
        const ids = [...this.#dirty]
        this.#dirty.clear()
        if (this.#closed) return
        for (const conversationId of ids)
          this.#events.emit('conversation-changed', { conversationId })
      })
    }
    this.#dirty.add(id)
  }

  #emitStatus(): void {
    if (this.#events.has('sync-status'))
      this.#events.emit('sync-status', { status: this.syncStatus() })
  }

  /** Closes least recently used conversations beyond the bound, skipping pinned, busy or `keep`. */
  #evict(keep?: ConversationId): void {
    let excess = this.#sessions.size - this.#options.maxOpenConversations
    if (excess <= 0) return
    for (const id of this.#recency.leastRecentFirst()) {
      if (excess <= 0) break
      const session = this.#sessions.get(id)
      const busy = session === undefined || session.unsaved.length > 0 || this.#queue.waiting > 0
      if (busy || id === keep || this.#pins.has(id)) continue
      this.#sync.leave(session!)
      session!.close()
      this.#sessions.delete(id)
      this.#recency.delete(id)
      excess--
    }
  }
}

/** One outbox entry for several made in one commit: their updates merged, their message ids joined. */
function mergeOutboxEntries(entries: readonly NewOutboxEntry[]): NewOutboxEntry {
  const first = entries[0]!
  return {
    id: first.id,
    conversationId: first.conversationId,
    // A commit's entries are a few hundred small updates at most: mergeUpdates is cheap at that
    // size (PERFORMANCE.md warns about thousands).
    update: Y.mergeUpdates(entries.map((e) => e.update)),
    createdAt: first.createdAt,
    meta: { messageIds: entries.flatMap((e) => outboxMessageIds(e.meta)) },
  }
}

function outboxMessageIds(meta: unknown): MessageId[] {
  if (typeof meta !== 'object' || meta === null) return []
  const ids = (meta as { messageIds?: unknown }).messageIds
  return Array.isArray(ids) ? ids.filter((x): x is MessageId => typeof x === 'string') : []
}

function toSummary(entry: ConversationIndexEntry): ConversationSummary {
  const extra = (
    typeof entry.extra === 'object' && entry.extra !== null ? entry.extra : {}
  ) as IndexExtra
  return Object.freeze({
    id: asConversationId(entry.id),
    title: entry.title ?? '',
    kind: extra.kind ?? 'group',
    lastMessagePreview: entry.lastMessagePreview ?? '',
    ...(typeof extra.lastAuthor === 'string' ? { lastAuthor: extra.lastAuthor } : {}),
    lastActivity: entry.lastActivity,
    unreadCount: entry.unreadCount,
  })
}
