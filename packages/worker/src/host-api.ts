// The contract between a tab and the engine's host: what a tab may ask, as plain data in and
// out. The engine's actions are declared once in `@parley/core` (`ENGINE_ACTIONS`); this file
// derives the host's form of them and adds the host's own calls (start-up, auth, network, the
// tab's lifetime). The host implements it over the Engine (in a SharedWorker, or in the leader's
// dedicated worker); follower workers relay it over BroadcastChannel; tabs reach it through comlink.
import {
  ENGINE_ACTIONS,
  type CallSpec,
  type EngineActionTable,
  type SubscriptionSpec,
} from '@parley/core'
import type { AuthSession, AuthState, SignOutOptions } from './auth-state.js'
import type { MethodTable } from './router.js'

export type { AuthSession, AuthState, AuthUser, SignOutOptions } from './auth-state.js'
export type { CreateConversationInput, Invite, PageQuery } from '@parley/core'

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

/** One declared action as the host offers it. */
export type HostMethod<Spec> =
  Spec extends CallSpec<infer F>
    ? (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>
    : Spec extends SubscriptionSpec<infer Args, infer Value>
      ? (tabId: string, ...rest: [...Args, listener: HostListener<Value>]) => Promise<string>
      : never

/**
 * The engine's declared actions as the host offers them: every call answers with a promise; a
 * subscription takes the tab's id first and the listener last, calls the listener now and after
 * every change, and resolves with a subscription id (for `unsubscribe`).
 */
export type HostEngineApi = { [K in keyof EngineActionTable]: HostMethod<EngineActionTable[K]> }

/**
 * Everything a tab can do: the engine's declared actions ({@link HostEngineApi}) and the host's
 * own calls. Every method settles; failures reject with an Error whose `name` and `code` survive
 * the trip (`StorageError`, `ParleyError`, `HostError`). Calls are idempotent for retries (a
 * follower retries calls after a leader change), see `ENGINE_ACTIONS`.
 */
export interface ParleyHostApi extends HostEngineApi {
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
  /** The browser's network state as a tab sees it (`navigator.onLine`); the client forwards it. */
  setNetwork(online: boolean): Promise<void>
  /** Ends a subscription. Unknown ids are ignored. */
  unsubscribe(subscriptionId: string): Promise<void>
  /** The tab is going away: drop its subscriptions. */
  goodbye(tabId: string): Promise<void>
}

const CALL = { kind: 'call' } as const

/** Every method of {@link ParleyHostApi}, by name: the only names the host's routers accept. */
export const HOST_API_METHODS: MethodTable<ParleyHostApi> = Object.freeze({
  ...ENGINE_ACTIONS,
  init: CALL,
  setSession: CALL,
  signOut: CALL,
  authState: CALL,
  subscribeAuth: { kind: 'subscribe' },
  setNetwork: CALL,
  unsubscribe: CALL,
  goodbye: CALL,
})

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
  | 'unknown-method'

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
