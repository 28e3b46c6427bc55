// The engine: one per browser, in the worker. A facade over its subsystems — the hot set of
// conversations (HotSessions), the write path (LocalStore: every local change durable before the
// intent resolves, the outbox), live sync (PeerSync) and server sync (ServerSync) — which own
// their state and report through events; the engine turns those into statuses and its own
// events. Pure TypeScript, no DOM. See docs/ENGINE.md.
import { ParleyError } from '../errors.js'
import { HybridLogicalClock } from '../hlc.js'
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
import type { ConversationDoc } from '../conversation-doc.js'
import type { SendInput, EditInput } from '../conversation-doc-options.js'
import type { PageCursor } from '../message-view.js'
import type { ConversationKind } from '../schema.js'
import type { RemoteInvite, RemoteLog } from '../ports/remote-log.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import type { OutboxEntry } from '../ports/storage-records.js'
import { indexEntryOf, toSummary } from './conversation-index.js'
import { ConversationSession, type ConversationSessionOptions } from './conversation-session.js'
import { engineSettings, type EngineSettings } from './engine-defaults.js'
import type { EngineActions } from './engine-actions.js'
import type { EngineEvents } from './engine-events.js'
import type { EngineOptions } from './engine-options.js'
import type {
  ConversationState,
  ConversationSummary,
  MessageItem,
  MessageItemPage,
  SyncStatus,
} from './engine-types.js'
import { DeliveredReceipts } from './delivered-receipts.js'
import { EngineNotifier } from './engine-notifier.js'
import { DeviceSigner } from './device-signer.js'
import { connectServer, liveTrust, wirePeers, wireSession, wireStore } from './engine-wiring.js'
import type { EngineParts } from './engine-wiring.js'
import { HotSessions } from './hot-sessions.js'
import { LocalStore } from './local-store.js'
import { Outbox } from './outbox.js'
import { readOutboxState } from './outbox-entry.js'
import { PeerSync } from './peer-sync.js'
import type { ServerSync } from './server-sync.js'
import { readTailRecord, stateFromTail } from './tail-record.js'

/**
 * Parley's engine. Create it with {@link Engine.open}; every intent (`send`, `edit`, `react`,
 * `markRead`…) resolves once the change is durable in storage, and rejects with the storage's
 * typed error otherwise (the message then shows `failed` and `retry` can save it again).
 */
export class Engine implements EngineActions {
  /** The local user. */
  readonly user: UserId
  /** This browser profile's device id (from storage). */
  readonly device: DeviceId
  /** The device clock shared by every conversation. */
  readonly clock: HybridLogicalClock
  readonly #storage: StorageAdapter
  readonly #options: EngineSettings
  readonly #notify: EngineNotifier
  readonly #hot: HotSessions
  readonly #outbox: Outbox
  readonly #store: LocalStore
  readonly #peers: PeerSync
  readonly #server: ServerSync | undefined = undefined
  readonly #remoteLog: RemoteLog | undefined
  readonly #displayName: string | undefined
  readonly #parts: EngineParts
  readonly #sessionOptions: Omit<ConversationSessionOptions, 'id'>
  #presence: 'online' | 'away' = 'online'
  #closed = false

  private constructor(
    options: EngineOptions,
    device: DeviceId,
    outbox: readonly OutboxEntry[],
    signer: DeviceSigner,
  ) {
    this.user = asUserId(String(options.user))
    this.#displayName = options.displayName
    this.device = device
    this.#storage = options.storage
    this.#options = engineSettings(options)
    this.#notify = new EngineNotifier(() => this.syncStatus(), options.onError)
    const { wallClock, maxDriftMs, deliveredDelayMs } = this.#options
    const onError = this.#notify.error
    this.clock = new HybridLogicalClock({ device, wallClock, maxDriftMs, onError })
    const clientId = signer.clientId
    const clock = this.clock
    this.#sessionOptions = { user: this.user, device, clientId, clock, wallClock, onError }
    this.#hot = new HotSessions(this.#options.maxOpenConversations)
    this.#outbox = new Outbox(this.#storage, outbox)
    this.#store = new LocalStore({ ...this.#options, storage: this.#storage, outbox: this.#outbox })
    const mark = (id: ConversationId): Promise<void> => this.markDelivered(id)
    const delivered = new DeliveredReceipts(deliveredDelayMs, mark, onError)
    const [hot, store, notify] = [this.#hot, this.#store, this.#notify]
    const parts = (this.#parts = { hot, store, notify, delivered } as EngineParts)
    const trust = options.remote === undefined ? undefined : liveTrust(signer, parts)
    const transports = options.transports ?? []
    this.#peers = parts.peers = new PeerSync({ transports, wallClock, ...(trust ? { trust } : {}) })
    wireStore(parts)
    wirePeers(parts)
    this.#storage.on('error', ({ error }) => onError(error))
    this.#remoteLog = options.remote
    if (options.remote !== undefined) {
      const open = (id: ConversationId): Promise<ConversationSession> => this.#session(id)
      const server = { signer, user: this.user, storage: this.#storage, outbox: this.#outbox }
      const settings = { ...server, open, wallClock, options: options.serverSync }
      this.#server = connectServer(options.remote, settings, parts)
    }
  }

  /** Opens an engine on `options.storage`: reads the device identity and the outbox size. */
  static async open(options: EngineOptions): Promise<Engine> {
    const identity = await options.storage.getOrCreateDevice()
    const outbox = await options.storage.listOutbox()
    const device = asDeviceId(identity.deviceId)
    const signer = await DeviceSigner.open(options.storage, device)
    return new Engine(options, device, outbox, signer)
  }

  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends keyof EngineEvents>(
    event: E,
    listener: (payload: EngineEvents[E]) => void,
  ): () => void {
    return this.#notify.on(event, listener)
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
      await this.#write(session, (doc) =>
        doc.initialize({
          kind: input.kind ?? 'group',
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(this.#displayName !== undefined ? { name: this.#displayName } : {}),
        }),
      )
    }
    return toSummary(indexEntryOf(session))
  }

  /**
   * The state of a conversation for a first paint: from memory when it is hot, otherwise from the
   * stored tail record (one small read, whatever the conversation's length), hydrating it in the
   * background. A conversation without a tail is hydrated first.
   */
  async conversationState(conversationId: ConversationId | string): Promise<ConversationState> {
    this.#assertOpen()
    const id = asConversationId(String(conversationId))
    const hot = this.#hot.get(id)
    if (hot) {
      this.#hot.touch(id)
      return hot.state(this.#options.tailSize)
    }
    const tail = readTailRecord(await this.#storage.getTail(id))
    if (tail === undefined) return (await this.#session(id)).state(this.#options.tailSize)
    // Hydrate off the paint path; errors surface through onError and the next call.
    this.#session(id).catch(this.#notify.error)
    return stateFromTail(id, tail)
  }

  /** Renames a conversation for every member; resolves once durable. */
  async renameConversation(conversationId: ConversationId | string, title: string): Promise<void> {
    await this.#write(await this.#open(conversationId), (doc) => doc.setTitle(title))
  }

  /** A page of messages before or after a cursor (hydrates the conversation). */
  async page(
    conversationId: ConversationId | string,
    query: { before?: PageCursor; after?: PageCursor; limit: number },
  ): Promise<MessageItemPage> {
    return (await this.#open(conversationId)).page(query)
  }

  /**
   * Keeps a conversation hot (not evicted) while a UI shows it; returns the release function.
   * Joins it on every transport, so peers' live updates and presence flow.
   */
  async retain(conversationId: ConversationId | string): Promise<() => void> {
    const id = asConversationId(String(conversationId))
    await this.#session(id)
    const unpin = this.#hot.pin(id)
    return () => {
      unpin()
      this.#evict()
    }
  }

  // ── intents ────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a message; resolves with it once it is durable locally (status `sending` until the
   * server holds it). A retried send with the same `input.id` returns the existing message.
   */
  async send(conversationId: ConversationId | string, input: SendInput): Promise<MessageItem> {
    const session = await this.#open(conversationId)
    const existing = input.id === undefined ? undefined : session.doc.message(input.id)
    if (existing !== undefined) return session.item(existing)
    const view = await this.#write(session, (doc) => doc.send(input))
    return session.item(session.doc.message(view.id) ?? view)
  }

  /** Edits one of the user's messages; resolves once durable. */
  async edit(
    conversationId: ConversationId | string,
    messageId: MessageId,
    input: EditInput,
  ): Promise<MessageItem> {
    const session = await this.#open(conversationId)
    const view = await this.#write(session, (doc) => doc.edit(messageId, input))
    return session.item(view)
  }

  /** Deletes one of the user's messages (its body is erased from the document); resolves once durable. */
  async delete(conversationId: ConversationId | string, messageId: MessageId): Promise<void> {
    await this.#write(await this.#open(conversationId), (doc) => doc.delete(messageId))
  }

  /** Adds a reaction of the user; resolves once durable. */
  async react(
    conversationId: ConversationId | string,
    messageId: MessageId,
    reaction: string,
  ): Promise<void> {
    await this.#write(await this.#open(conversationId), (doc) => doc.react(messageId, reaction))
  }

  /** Removes a reaction of the user; resolves once durable. */
  async unreact(
    conversationId: ConversationId | string,
    messageId: MessageId,
    reaction: string,
  ): Promise<void> {
    await this.#write(await this.#open(conversationId), (doc) => doc.unreact(messageId, reaction))
  }

  /** Moves this device's read cursor (default: now, i.e. everything received); resolves once durable. */
  async markRead(conversationId: ConversationId | string, upTo?: HlcStamp): Promise<void> {
    await this.#write(await this.#open(conversationId), (doc) => doc.markRead(upTo))
  }

  /** Moves this device's delivered cursor (default: now); resolves once durable. */
  async markDelivered(conversationId: ConversationId | string, upTo?: HlcStamp): Promise<void> {
    await this.#write(await this.#open(conversationId), (doc) => doc.markDelivered(upTo))
  }

  /** Shows (or clears) this device's typing indicator in a conversation; it expires on its own. */
  async setTyping(conversationId: ConversationId | string, typing: boolean): Promise<void> {
    const session = await this.#open(conversationId)
    const until = typing ? this.#options.wallClock() + this.#options.typingTimeoutMs : 0
    session.setLocalAwareness({ typingUntil: until })
  }

  /** Sets this device's presence status in every open conversation. */
  setPresence(status: 'online' | 'away'): void {
    this.#presence = status
    for (const session of this.#hot.values()) session.setLocalAwareness({ status })
  }

  /**
   * Saves again the changes of a `failed` message that never became durable (e.g. after the
   * user freed space). Resolves once durable; rejects with the storage error otherwise.
   */
  async retry(conversationId: ConversationId | string, messageId?: MessageId): Promise<void> {
    const session = await this.#open(conversationId)
    const retried = this.#store.retry(session.id, messageId)
    if (retried === undefined) return
    // A failure was reported by `write-failed` (the messages stay failed); it rejects here too.
    await retried.committed
    this.#notify.recovered(session.id, session, retried.messageIds)
  }

  // ── status and lifetime ────────────────────────────────────────────────────────────────────

  /** Pending, unsaved and failed counts, connectivity and last sync times. */
  syncStatus(): SyncStatus {
    const server = this.#server
    const online = server !== undefined ? server.online : this.#peers.online
    const syncing = server !== undefined && server.busy
    return Object.freeze({
      state: !online ? 'offline' : syncing ? 'syncing' : 'online',
      pending: this.#outbox.pending,
      unsaved: this.#store.waiting,
      failed: this.#notify.failedCount,
      lastSyncedAt: { ...this.#peers.lastSyncedAt(), ...server?.lastSyncedAt() },
    })
  }

  /**
   * Display names of users as this device knows them: from the members of open conversations
   * (each member records its own name when it joins) and this user's own name.
   */
  displayNames(userIds: readonly string[]): Record<string, string> {
    const own = this.#displayName !== undefined && userIds.includes(this.user)
    return this.#hot.collectNames(userIds, own ? { [this.user]: this.#displayName! } : {})
  }

  // ── membership (needs `EngineOptions.remote`) ──────────────────────────────────────────────

  /** Creates an invite code (and link, when the server gives one) for a conversation. */
  async createInvite(conversationId: ConversationId | string): Promise<RemoteInvite> {
    const id = asConversationId(String(conversationId))
    const server = this.#requireServer()
    // The server must know the conversation before it can invite to it.
    await server.drain()
    return this.#remoteLog!.createInvite(id)
  }

  /** Joins a conversation by invite code; resolves once its history is caught up. */
  async joinConversation(code: string): Promise<ConversationSummary> {
    const server = this.#requireServer()
    const joined = await this.#remoteLog!.joinConversation(code)
    await server.markKnown(joined.id)
    await server.catchUp(joined.id)
    const session = await this.#session(joined.id)
    if (!session.doc.members().some((m) => m.user === this.user)) {
      await this.#write(session, (doc) => doc.addMember(this.user, 'member', this.#displayName))
    }
    return toSummary(indexEntryOf(session))
  }

  /** Leaves a conversation on the server and forgets it locally. */
  async leaveConversation(conversationId: ConversationId | string): Promise<void> {
    const id = asConversationId(String(conversationId))
    this.#requireServer()
    await this.#remoteLog!.leaveConversation(id)
    const session = this.#hot.remove(id)
    if (session) this.#close(session)
    await this.#store.drain()
    await this.#storage.deleteConversation(id)
    this.#parts.trust?.forget(id)
    this.#notify.indexChanged([id])
  }

  /**
   * Tells the engine whether the browser has a network (`navigator.onLine`; tabs forward it).
   * While it has none, nothing is sent or pulled and the status says `offline`; when it is back,
   * peers and the server are resynced at once instead of waiting for a socket timeout or backoff.
   */
  setNetwork(available: boolean): void {
    this.#peers.setNetwork(available)
    this.#server?.setNetwork(available)
    this.#notify.status()
  }

  /** Resolves when every change made so far is durable (or failed). */
  flush(): Promise<void> {
    return this.#store.drain()
  }

  /** Ids of the conversations currently hydrated in memory (for tests and diagnostics). */
  openConversations(): ConversationId[] {
    return this.#hot.ids()
  }

  /**
   * Flushes pending writes, closes every conversation and the transports. The storage adapter
   * is the caller's to close. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#parts.delivered.close()
    await this.#store.drain()
    this.#server?.close()
    this.#remoteLog?.close()
    this.#peers.close()
    for (const session of this.#hot.values()) session.close()
    this.#hot.clear()
    this.#notify.close()
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  #assertOpen(): void {
    if (this.#closed) throw new ParleyError('closed', 'the engine is closed')
  }

  /** The hydrated session of a conversation, loading it from storage once. */
  #session(id: ConversationId): Promise<ConversationSession> {
    this.#assertOpen()
    return this.#hot.open(id, (cold) => this.#hydrate(cold))
  }

  async #hydrate(id: ConversationId): Promise<ConversationSession> {
    const loaded = await this.#store.load(id)
    this.#assertOpen()
    const { pending, failures } = readOutboxState(loaded.outbox)
    const session = new ConversationSession({ id, ...this.#sessionOptions, pending, failures })
    this.#store.attach(session, loaded)
    if (this.#presence !== 'online') session.setLocalAwareness({ status: this.#presence })
    wireSession(session, this.#parts)
    this.#hot.add(session)
    this.#peers.join(session)
    this.#evict(id)
    void this.#server?.catchUp(id)
    return session
  }

  /** The hydrated session of a conversation named by the app. */
  #open(conversationId: ConversationId | string): Promise<ConversationSession> {
    return this.#session(asConversationId(String(conversationId)))
  }

  /**
   * Runs a local intent and waits until its change is durable: the document emits the update
   * synchronously, the write path queues it, and `settled` is that commit.
   */
  async #write<T>(session: ConversationSession, intent: (doc: ConversationDoc) => T): Promise<T> {
    this.#assertOpen()
    const result = intent(session.doc)
    const commit = this.#store.settled(session.id)
    if (commit !== undefined) await commit
    return result
  }

  #requireServer(): ServerSync {
    this.#assertOpen()
    if (this.#server === undefined) {
      throw new ParleyError('invalid-argument', 'this engine has no server (EngineOptions.remote)')
    }
    return this.#server
  }

  /** Closes least recently used conversations beyond the bound (never `keep`, the one just opened). */
  #evict(keep?: ConversationId): void {
    for (const session of this.#hot.evict((id) => this.#store.busy(id), keep)) this.#close(session)
  }

  #close(session: ConversationSession): void {
    this.#peers.leave(session.id)
    this.#store.detach(session.id)
    session.close()
  }
}
