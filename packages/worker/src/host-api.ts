// The contract between a tab and the engine's host: what a tab may ask, as plain data in and
// out. The host implements it over the Engine (in a SharedWorker, or in the leader's dedicated
// worker); follower workers relay it over BroadcastChannel; tabs reach it through comlink.
import type {
  ConversationState,
  ConversationSummary,
  EditInput,
  HlcStamp,
  MessageId,
  MessageItem,
  MessageItemPage,
  PageCursor,
  SendInput,
  SyncStatus,
  ConversationKind,
} from '@parley/core'
import type { AuthSession, AuthState, SignOutOptions } from './auth-state.js'

export type { AuthSession, AuthState, AuthUser, SignOutOptions } from './auth-state.js'

/** Version of the host API; a client and a host of different versions refuse to talk. */
export const HOST_API_VERSION = 1

/** How the engine runs in this browser. */
export type HostMode = 'shared-worker' | 'leader' | 'follower'

/** What `init` resolves with. */
export interface HostInfo {
  readonly version: typeof HOST_API_VERSION
  /** How this tab reaches the engine. */
  readonly mode: HostMode
  /** Random id of the engine instance serving this tab; equal across tabs of one browser. */
  readonly engineId: string
  /** The signed-in user's id; empty until someone signs in (see `signIn`). */
  readonly user: string
  /** The signed-in user's display name, when the server gave one. */
  readonly displayName?: string
  /** The device id; empty until the engine runs. */
  readonly device: string
  /** Whether this host syncs with a server (`ParleyHostOptions.connect` was given). */
  readonly server: boolean
}

/** What a tab passes to `init`. */
export interface HostConfig {
  /**
   * The user, for local-only apps (no server connector). With a connector, omit it: the host
   * restores the last signed-in user, and follows the sessions tabs hand over (`setSession`).
   * One engine serves one user; another user is refused (`user-mismatch`).
   */
  user?: string
  /** A random id of the tab, used to clean up its subscriptions when it goes away. */
  tabId: string
  /** The client's {@link HOST_API_VERSION}. */
  version?: number
}

/** A listener the tab registers; the host calls it with each new value. */
export type HostListener<T> = (value: T) => void

/** Input of `createConversation`. */
export interface CreateConversationInput {
  /** Chosen by the client so a retried call is idempotent. */
  id: string
  title?: string
  kind?: ConversationKind
}

/** Query of `page`. */
export interface PageQuery {
  before?: PageCursor
  after?: PageCursor
  limit: number
}

/**
 * Everything a tab can do. Every method settles; failures reject with an Error whose `name` and
 * `code` survive the trip (`StorageError`, `ParleyError`, `HostError`).
 *
 * Idempotency (a follower retries calls after a leader change): `send` with the same `input.id`
 * and `createConversation` with the same `id` return the first result; `react`, `unreact`,
 * `markRead`, `delete` are idempotent by nature; a repeated `edit` writes the same text again.
 */
export interface ParleyHostApi {
  init(config: HostConfig): Promise<HostInfo>
  /**
   * Hands the app's session to the engine: starts the engine for its user (opening that user's
   * own database), renews the access token of a running one, or — for another user — closes the
   * running engine and starts one for the new user. Needs a server connector.
   */
  setSession(session: AuthSession): Promise<AuthState>
  /**
   * Stops the engine of the signed-in user. Refused with `pending-changes` while the server
   * lacks some of the user's changes, unless `force`; `localData` says whether the user's
   * database is kept (default) or wiped.
   */
  signOut(options?: SignOutOptions): Promise<AuthState>
  /** Who the engine serves now. */
  authState(): Promise<AuthState>
  /** Calls `listener` with the auth state now and after every change; resolves with a subscription id. */
  subscribeAuth(tabId: string, listener: HostListener<AuthState>): Promise<string>
  /** Creates an invite for a conversation: a short code, and a link when the app configured one. */
  createInvite(conversationId: string): Promise<{ code: string; url?: string }>
  /** Joins a conversation by invite code; resolves once its history is caught up. */
  joinConversation(code: string): Promise<ConversationSummary>
  /** Leaves a conversation and forgets it on this device. */
  leaveConversation(conversationId: string): Promise<void>
  /** Display names of users, as far as this device knows them. */
  displayNames(userIds: readonly string[]): Promise<Record<string, string>>
  /** Sets this device's presence (`online`/`away`) in every open conversation. */
  setPresence(status: 'online' | 'away'): Promise<void>
  /** The browser's network state as a tab sees it (`navigator.onLine`); the client forwards it. */
  setNetwork(online: boolean): Promise<void>
  listConversations(limit?: number): Promise<ConversationSummary[]>
  createConversation(input: CreateConversationInput): Promise<ConversationSummary>
  conversationState(conversationId: string): Promise<ConversationState>
  page(conversationId: string, query: PageQuery): Promise<MessageItemPage>
  send(conversationId: string, input: SendInput & { id: MessageId }): Promise<MessageItem>
  edit(conversationId: string, messageId: MessageId, input: EditInput): Promise<MessageItem>
  delete(conversationId: string, messageId: MessageId): Promise<void>
  react(conversationId: string, messageId: MessageId, reaction: string): Promise<void>
  unreact(conversationId: string, messageId: MessageId, reaction: string): Promise<void>
  markRead(conversationId: string, upTo?: HlcStamp): Promise<void>
  setTyping(conversationId: string, typing: boolean): Promise<void>
  retry(conversationId: string, messageId?: MessageId): Promise<void>
  syncStatus(): Promise<SyncStatus>
  /** Calls `listener` with the conversation's state now and after every change; resolves with a subscription id. */
  subscribeConversation(
    tabId: string,
    conversationId: string,
    listener: HostListener<ConversationState>,
  ): Promise<string>
  /** Calls `listener` with the conversation list now and after every change. */
  subscribeConversations(
    tabId: string,
    listener: HostListener<ConversationSummary[]>,
  ): Promise<string>
  /** Calls `listener` with the sync status now and after every change. */
  subscribeSyncStatus(tabId: string, listener: HostListener<SyncStatus>): Promise<string>
  /** Ends a subscription. Unknown ids are ignored. */
  unsubscribe(subscriptionId: string): Promise<void>
  /** The tab is going away: drop its subscriptions. */
  goodbye(tabId: string): Promise<void>
}

/** Why the host refused a call. */
export type HostErrorCode =
  | 'user-mismatch'
  | 'not-initialized'
  | 'not-signed-in'
  | 'no-server'
  | 'version-mismatch'
  | 'no-leader'
  | 'invalid-session'
  | 'pending-changes'
  | 'no-wipe'
  | 'storage-user-mismatch'
  | 'signed-out'

/** An error of the host itself (not of storage or the model). */
export class HostError extends Error {
  override readonly name = 'HostError'
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Whether `value` is a {@link HostError} (also one rebuilt after crossing a thread). */
export function isHostError(value: unknown): value is HostError {
  return (
    value instanceof HostError ||
    (value instanceof Error && value.name === 'HostError' && 'code' in value)
  )
}
