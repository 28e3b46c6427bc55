// An in-memory stand-in for ParleyClient, for tests: it keeps conversations as plain arrays,
// delivers subscription values on microtasks (as comlink would, asynchronously), and counts the
// live subscriptions so tests can prove that hooks release them.
import type {
  ConversationId,
  ConversationState,
  ConversationSummary,
  DeviceId,
  HlcStamp,
  MemberView,
  MessageId,
  MessageItem,
  MessageItemPage,
  PresenceEntry,
  RejectedUpdate,
  SyncStatus,
  UserId,
} from '@parley/core'
import {
  ClientEngineActions,
  type AuthState,
  type HostInfo,
  type PageQuery,
  type Unsubscribe,
} from '@parley/worker/client'
import type { ParleyClientLike } from '../parley-client-like.js'

/** A message whose stamp sorts by `n` (zero-padded), authored by `author`. */
export function fakeMessage(n: number, overrides: Partial<MessageItem> = {}): MessageItem {
  return {
    id: `m${String(n).padStart(6, '0')}` as MessageId,
    author: 'alice' as UserId,
    device: 'device-a' as DeviceId,
    hlc: `${String(n).padStart(12, '0')}-0000-device-a` as HlcStamp,
    kind: 'text',
    text: `message ${n}`,
    attachments: [],
    deleted: false,
    reactions: {},
    status: 'sent',
    ...overrides,
  }
}

interface FakeConversation {
  summary: ConversationSummary
  messages: MessageItem[]
  presence: PresenceEntry[]
  members: MemberView[]
  unread: number
}

type Listener<T> = (value: T) => void

function notImplemented(name: string): never {
  throw new Error(`FakeParleyClient.${name} is not implemented`)
}

/**
 * The in-memory client. Mutate it with the `fake*` methods; hooks see the changes live. Every
 * declared engine action it does not fake (see `ENGINE_ACTIONS`) throws "not implemented". The
 * faked ones are arrow properties: the base declares the actions as properties, and TypeScript
 * does not let a method replace a property.
 */
export class FakeParleyClient extends ClientEngineActions implements ParleyClientLike {
  readonly info: HostInfo = {
    version: 1,
    mode: 'shared-worker',
    engineId: 'engine-1',
    user: 'me',
    device: 'device-me',
    server: false,
  }
  readonly tabId = 'tab-1'
  #auth: AuthState = {
    status: 'signed-in',
    user: { id: 'me', displayName: 'Me' },
    token: 'valid',
  }
  readonly #authListeners = new Set<(state: AuthState) => void>()
  /** Every `markRead` call, in order. */
  readonly markReadCalls: string[] = []

  get auth(): AuthState {
    return this.#auth
  }

  get signedIn(): boolean {
    return this.#auth.status === 'signed-in'
  }

  onAuthChange(listener: (state: AuthState) => void): Unsubscribe {
    this.#authListeners.add(listener)
    return () => this.#authListeners.delete(listener)
  }

  whenSignedIn(userId?: string): Promise<AuthState> {
    const state = this.#auth
    if (state.status === 'signed-in' && (userId === undefined || state.user.id === userId))
      return Promise.resolve(state)
    return notImplemented('whenSignedIn (waiting)')
  }

  /** Replaces the auth state, as a user change in another tab would. */
  fakeAuth(state: AuthState): void {
    this.#auth = state
    for (const listener of [...this.#authListeners]) listener(state)
  }

  setSession(): Promise<AuthState> {
    return notImplemented('setSession')
  }

  signOut(): Promise<AuthState> {
    this.fakeAuth({ status: 'signed-out' })
    return Promise.resolve(this.#auth)
  }

  override displayNames = (): Promise<Record<string, string>> => {
    return Promise.resolve({})
  }

  override setPresence = (): Promise<void> => {
    return Promise.resolve()
  }

  /** How many messages the live page of a conversation holds. */
  tailSize: number
  /** Every `page` query, in order. */
  readonly pageCalls: { conversationId: string; query: PageQuery }[] = []
  /** Every `setTyping` call, in order. */
  readonly typingCalls: { conversationId: string; typing: boolean }[] = []
  /** Set to make the next `page` call reject with it. */
  pageError: unknown
  /** Set to make `setTyping` reject with it. */
  typingError: unknown
  /** Set to make `listConversations` / `syncStatus` reject with it (the live list stays silent). */
  listError: unknown
  /** Resolves `page` calls only when released (see {@link releasePages}), when `true`. */
  holdPages = false
  readonly #conversations = new Map<string, FakeConversation>()
  #status: SyncStatus = { state: 'online', pending: 0, unsaved: 0, failed: 0, lastSyncedAt: {} }
  readonly #conversationListeners = new Map<string, Set<Listener<ConversationState>>>()
  readonly #listListeners = new Set<Listener<ConversationSummary[]>>()
  readonly #statusListeners = new Set<Listener<SyncStatus>>()
  readonly #rejectedListeners = new Set<Listener<RejectedUpdate>>()
  readonly #heldPages: (() => void)[] = []

  constructor(options: { tailSize?: number } = {}) {
    super({ call: notImplemented, subscribe: notImplemented })
    this.tailSize = options.tailSize ?? 3
  }

  /** Live subscriptions not yet released, over all kinds. */
  get activeSubscriptions(): number {
    let count = this.#listListeners.size + this.#statusListeners.size + this.#rejectedListeners.size
    for (const set of this.#conversationListeners.values()) count += set.size
    return count
  }

  /** Live subscriptions to one conversation. */
  conversationSubscriptions(conversationId: string): number {
    return this.#conversationListeners.get(conversationId)?.size ?? 0
  }

  /** Adds (or replaces) a conversation with `messages` (any order). */
  fakeConversation(id: string, messages: MessageItem[] = [], title = id): void {
    this.#conversations.set(id, {
      summary: {
        id: id as ConversationId,
        title,
        kind: 'group',
        lastMessagePreview: '',
        lastActivity: 0,
        unreadCount: 0,
      },
      messages: [...messages].sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0)),
      presence: [],
      members: [],
      unread: 0,
    })
    this.#changed(id)
  }

  /** Adds or replaces messages of a conversation by id. */
  fakeMessages(conversationId: string, ...messages: MessageItem[]): void {
    const conversation = this.#get(conversationId)
    for (const message of messages) {
      const at = conversation.messages.findIndex((m) => m.id === message.id)
      if (at >= 0) conversation.messages[at] = message
      else conversation.messages.push(message)
    }
    conversation.messages.sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0))
    this.#changed(conversationId)
  }

  /** Replaces the members of a conversation. */
  fakeMembers(conversationId: string, members: MemberView[]): void {
    this.#get(conversationId).members = members
    this.#changed(conversationId)
  }

  /** Sets the unread count of a conversation (`markRead` clears it). */
  fakeUnread(conversationId: string, unread: number): void {
    this.#get(conversationId).unread = unread
    this.#changed(conversationId)
  }

  /** Replaces the presence of a conversation. */
  fakePresence(conversationId: string, presence: PresenceEntry[]): void {
    this.#get(conversationId).presence = presence
    this.#changed(conversationId)
  }

  /** Replaces the sync status. */
  fakeSyncStatus(status: Partial<SyncStatus>): void {
    this.#status = { ...this.#status, ...status }
    const value = this.#status
    for (const listener of this.#statusListeners) queueMicrotask(() => listener(value))
  }

  /** Reports a refused update to `subscribeRejected` listeners. */
  fakeRejected(event: RejectedUpdate): void {
    for (const listener of this.#rejectedListeners) queueMicrotask(() => listener(event))
  }

  /** Resolves every held `page` call. */
  releasePages(): void {
    for (const release of this.#heldPages.splice(0)) release()
  }

  override listConversations = (): Promise<ConversationSummary[]> => {
    if (this.listError !== undefined) return Promise.reject(this.listError)
    return Promise.resolve(this.#list())
  }

  override conversationState = (conversationId: string): Promise<ConversationState> => {
    const state = this.#state(conversationId)
    if (state === undefined)
      return Promise.reject(new Error(`unknown conversation ${conversationId}`))
    return Promise.resolve(state)
  }

  override page = (conversationId: string, query: PageQuery): Promise<MessageItemPage> => {
    this.pageCalls.push({ conversationId, query })
    if (this.pageError !== undefined) {
      const error = this.pageError
      this.pageError = undefined
      return Promise.reject(error)
    }
    const all = this.#get(conversationId).messages
    const before = query.before
    const end =
      before === undefined
        ? all.length
        : all.filter((m) => m.hlc < before.hlc || (m.hlc === before.hlc && m.id < before.id)).length
    const start = Math.max(0, end - query.limit)
    const page: MessageItemPage = {
      messages: all.slice(start, end),
      hasBefore: start > 0,
      hasAfter: end < all.length,
    }
    if (!this.holdPages) return Promise.resolve(page)
    return new Promise((resolve) => this.#heldPages.push(() => resolve(page)))
  }

  override setTyping = (conversationId: string, typing: boolean): Promise<void> => {
    this.typingCalls.push({ conversationId, typing })
    if (this.typingError !== undefined) return Promise.reject(this.typingError)
    return Promise.resolve()
  }

  override syncStatus = (): Promise<SyncStatus> => {
    if (this.listError !== undefined) return Promise.reject(this.listError)
    return Promise.resolve(this.#status)
  }

  override subscribeConversation = (
    conversationId: string,
    listener: (state: ConversationState) => void,
  ): Unsubscribe => {
    let set = this.#conversationListeners.get(conversationId)
    if (set === undefined) {
      set = new Set()
      this.#conversationListeners.set(conversationId, set)
    }
    return this.#add(set, listener, () => this.#state(conversationId))
  }

  override subscribeConversations = (
    listener: (list: ConversationSummary[]) => void,
  ): Unsubscribe => {
    return this.#add(this.#listListeners, listener, () =>
      this.listError === undefined ? this.#list() : undefined,
    )
  }

  override subscribeSyncStatus = (listener: (status: SyncStatus) => void): Unsubscribe => {
    return this.#add(this.#statusListeners, listener, () =>
      this.listError === undefined ? this.#status : undefined,
    )
  }

  override subscribeRejected = (listener: (event: RejectedUpdate) => void): Unsubscribe =>
    this.#add(this.#rejectedListeners, listener, () => undefined)

  override createConversation = (): Promise<ConversationSummary> =>
    notImplemented('createConversation')
  override markRead = (conversationId: string): Promise<void> => {
    this.markReadCalls.push(conversationId)
    this.fakeUnread(conversationId, 0)
    return Promise.resolve()
  }
  close(): Promise<void> {
    return Promise.resolve()
  }

  #add<T>(set: Set<Listener<T>>, listener: Listener<T>, now: () => T | undefined): Unsubscribe {
    // A fresh wrapper per subscription, so one listener subscribed twice counts twice.
    const entry: Listener<T> = (value) => listener(value)
    set.add(entry)
    queueMicrotask(() => {
      const value = now()
      if (value !== undefined && set.has(entry)) entry(value)
    })
    return () => {
      set.delete(entry)
    }
  }

  #get(conversationId: string): FakeConversation {
    const conversation = this.#conversations.get(conversationId)
    if (conversation === undefined) throw new Error(`unknown conversation ${conversationId}`)
    return conversation
  }

  #list(): ConversationSummary[] {
    return [...this.#conversations.values()].map((c) => c.summary)
  }

  #state(conversationId: string): ConversationState | undefined {
    const conversation = this.#conversations.get(conversationId)
    if (conversation === undefined) return undefined
    const all = conversation.messages
    const start = Math.max(0, all.length - this.tailSize)
    return {
      id: conversationId as ConversationId,
      meta: { title: conversation.summary.title },
      page: { messages: all.slice(start), hasBefore: start > 0, hasAfter: false },
      unreadCount: conversation.unread,
      presence: conversation.presence,
      members: conversation.members,
      fromTail: false,
    }
  }

  #changed(conversationId: string): void {
    const state = this.#state(conversationId)
    const list = this.#list()
    for (const listener of this.#conversationListeners.get(conversationId) ?? []) {
      if (state !== undefined) queueMicrotask(() => listener(state))
    }
    for (const listener of this.#listListeners) queueMicrotask(() => listener(list))
  }
}
