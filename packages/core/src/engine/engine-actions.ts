// The actions a tab may ask of the engine, declared once. Everything between a tab and the engine
// is derived from this table by types: the worker's host API, its routers and relay, the comlink
// client and the React test double. `Engine` implements the `call` entries (see docs/ENGINE.md,
// "Adding an action"). Arguments and results cross `postMessage`, so they are plain data.
import type { EditInput, SendInput } from '../conversation-doc-options.js'
import type { HlcStamp, MessageId } from '../ids.js'
import type { PageCursor } from '../message-view.js'
import type { ConversationKind } from '../schema.js'
import type { RejectedUpdate } from './replica-trust.js'
import type {
  ConversationState,
  ConversationSummary,
  MessageItem,
  MessageItemPage,
  SyncStatus,
} from './engine-types.js'

/** How an action is reached: `call` answers once; `subscribe` pushes a value now and on change. */
export type ActionKind = 'call' | 'subscribe'

/** A request/response action; `F` is the engine's signature (a tab gets the result as a promise). */
export interface CallSpec<F extends (...args: never[]) => unknown> {
  readonly kind: 'call'
  /** Never set: it carries the signature for the types. */
  readonly signature?: F
}

/**
 * A live value a tab follows: `Args` come before the listener, and `Value` is pushed now and after
 * every change.
 */
export interface SubscriptionSpec<Args extends readonly unknown[], Value> {
  readonly kind: 'subscribe'
  /** Never set: it carries the arguments for the types. */
  readonly args?: Args
  /** Never set: it carries the pushed value for the types. */
  readonly value?: Value
}

const call = <F extends (...args: never[]) => unknown>(): CallSpec<F> => ({ kind: 'call' })
const subscription = <Args extends readonly unknown[], Value>(): SubscriptionSpec<Args, Value> => ({
  kind: 'subscribe',
})

/** Input of `createConversation`. */
export interface CreateConversationInput {
  /** Chosen by the caller so a retried call is idempotent (the client always chooses one). */
  id?: string
  title?: string
  kind?: ConversationKind
}

/** Query of `page`: before or after a cursor, or the newest page. */
export interface PageQuery {
  before?: PageCursor
  after?: PageCursor
  limit: number
}

/** What `createInvite` resolves with. */
export interface Invite {
  /** A short code to share; `joinConversation` takes it. */
  readonly code: string
  /** A join link, when the app configured one. */
  readonly url?: string
}

/**
 * The tab-facing actions, by name. The TSDoc here is what `ParleyClient` shows. Idempotency (a
 * follower retries calls after a leader change): `send` with the same `input.id` and
 * `createConversation` with the same `id` return the first result; `react`, `unreact`,
 * `markRead`, `delete` are idempotent by nature; a repeated `edit` writes the same text again.
 */
export const ENGINE_ACTIONS = Object.freeze({
  // ── conversations ──────────────────────────────────────────────────────────────────────────
  /** The conversation list (from the index: no document is opened), newest activity first. */
  listConversations: call<(limit?: number) => Promise<ConversationSummary[]>>(),
  /** Creates a conversation owned by the user; resolves once durable. */
  createConversation: call<(input: CreateConversationInput) => Promise<ConversationSummary>>(),
  /** A conversation's state for painting (the newest page, meta, unread, presence). */
  conversationState: call<(conversationId: string) => Promise<ConversationState>>(),
  /** A page before/after a cursor, or the newest page. */
  page: call<(conversationId: string, query: PageQuery) => Promise<MessageItemPage>>(),
  /** Renames a conversation for every member; resolves once durable. */
  renameConversation: call<(conversationId: string, title: string) => Promise<void>>(),

  // ── intents (each resolves once durable locally) ───────────────────────────────────────────
  /** Sends a message; resolves once it is durable locally (status `sending`). */
  send: call<(conversationId: string, input: SendInput) => Promise<MessageItem>>(),
  /** Edits one of the user's messages. */
  edit: call<
    (conversationId: string, messageId: MessageId, input: EditInput) => Promise<MessageItem>
  >(),
  /** Deletes one of the user's messages. */
  delete: call<(conversationId: string, messageId: MessageId) => Promise<void>>(),
  /** Adds a reaction. */
  react: call<(conversationId: string, messageId: MessageId, reaction: string) => Promise<void>>(),
  /** Removes a reaction. */
  unreact:
    call<(conversationId: string, messageId: MessageId, reaction: string) => Promise<void>>(),
  /** Marks the conversation read up to a stamp (default: everything received). */
  markRead: call<(conversationId: string, upTo?: HlcStamp) => Promise<void>>(),
  /** Shows or clears the typing indicator (it expires on its own). */
  setTyping: call<(conversationId: string, typing: boolean) => Promise<void>>(),
  /** Saves again a `failed` message (or every failed change of the conversation). */
  retry: call<(conversationId: string, messageId?: MessageId) => Promise<void>>(),

  // ── membership (needs a server) ────────────────────────────────────────────────────────────
  /** Creates an invite: a short code, and a link when configured. */
  createInvite: call<(conversationId: string) => Promise<Invite>>(),
  /** Joins a conversation by invite code; resolves once its history is caught up. */
  joinConversation: call<(code: string) => Promise<ConversationSummary>>(),
  /** Leaves a conversation and forgets it on this device. */
  leaveConversation: call<(conversationId: string) => Promise<void>>(),

  // ── people and status ──────────────────────────────────────────────────────────────────────
  /** Display names of users, as far as this device knows them. */
  displayNames: call<(userIds: readonly string[]) => Record<string, string>>(),
  /** Sets this device's presence (`online`/`away`) in every open conversation. */
  setPresence: call<(status: 'online' | 'away') => void>(),
  /** Pending/unsaved/failed counts and connectivity. */
  syncStatus: call<() => SyncStatus>(),

  // ── subscriptions ──────────────────────────────────────────────────────────────────────────
  /** Live state of a conversation: called now and after every change. */
  subscribeConversation: subscription<[conversationId: string], ConversationState>(),
  /** The live conversation list. */
  subscribeConversations: subscription<[], ConversationSummary[]>(),
  /** The live sync status. */
  subscribeSyncStatus: subscription<[], SyncStatus>(),
  /** Updates from other devices that were refused (docs/TRUST.md), as they happen. */
  subscribeRejected: subscription<[], RejectedUpdate>(),
})

/** The table's type: each action's name and spec. */
export type EngineActionTable = typeof ENGINE_ACTIONS

/** Names of the request/response actions. */
export type EngineActionName = {
  [K in keyof EngineActionTable]: EngineActionTable[K] extends { readonly kind: 'call' } ? K : never
}[keyof EngineActionTable]

/** Names of the subscriptions. */
export type EngineSubscriptionName = Exclude<keyof EngineActionTable, EngineActionName>

/** The request/response actions with the engine's signatures: what `Engine` implements. */
export type EngineActions = {
  [
    K in keyof EngineActionTable as K extends EngineActionName ? K : never
  ]: EngineActionTable[K] extends CallSpec<infer F> ? F : never
}

// Everything declared crosses postMessage: a function anywhere in an argument or a result would
// not survive the structured clone. A violation names the action in the error.
type HasFunction<T> = T extends string | number | boolean | bigint | null | undefined | void
  ? false // also a branded id (`string & { brand }`), whose keys would be string's methods
  : T extends (...args: never[]) => unknown
    ? true
    : T extends readonly (infer E)[]
      ? HasFunction<E>
      : T extends object
        ? true extends { [K in keyof T]-?: HasFunction<T[K]> }[keyof T]
          ? true
          : false
        : false
type Crossing<S> =
  S extends CallSpec<infer F>
    ? Parameters<F>[number] | Awaited<ReturnType<F>>
    : S extends SubscriptionSpec<infer Args, infer Value>
      ? Args[number] | Value
      : never
type NotPlainData = {
  [K in keyof EngineActionTable]: true extends HasFunction<Crossing<EngineActionTable[K]>>
    ? K
    : never
}[keyof EngineActionTable]
type AssertPlainData<T extends never> = T
type _EngineActionsArePlainData = AssertPlainData<NotPlainData>
