// The tab side: a typed client over comlink. It never holds a Y.Doc — it sends intents and
// receives plain view objects and live subscriptions from the one engine of the browser. Its
// action methods come from the declared `ENGINE_ACTIONS` (see `ClientEngineActions`).
import * as Comlink from 'comlink'
import { newMessageId } from '@parley/core'
import type {
  ConversationSummary,
  CreateConversationInput,
  MessageItem,
  SendInput,
} from '@parley/core'
import { ClientEngineActions, type Unsubscribe } from './client-actions.js'
import { installErrorTransfer } from './error-transfer.js'
import {
  HOST_API_VERSION,
  HostError,
  type AuthSession,
  type AuthState,
  type HostInfo,
  type ParleyHostApi,
  type SignOutOptions,
} from './host-api.js'
import { invokeMethod } from './router.js'

export { RemoteError } from './error-transfer.js'
export * from './host-api.js'
export {
  ClientEngineActions,
  type ClientActionPort,
  type ClientEngineApi,
  type ClientMethod,
  type Unsubscribe,
} from './client-actions.js'

/** Options of {@link createParleyClient}. */
export interface ParleyClientOptions {
  /**
   * The user, for local-only use (no server connector in the worker). With a server, omit it:
   * the engine follows the app's own Supabase session, handed over with
   * {@link ParleyClient.setSession} (or `connectSupabaseAuth` of `@parley/transport-supabase`).
   */
  user?: string
  /**
   * Starts the SharedWorker that runs `startParleyHost` (used where `SharedWorker` exists). In a
   * Vite app: `() => new SharedWorker(new URL('./parley.worker.ts', import.meta.url), { type: 'module', name: 'parley' })`.
   */
  sharedWorker?: () => SharedWorker
  /**
   * Starts a dedicated Worker running `startParleyHost` (used where SharedWorker is missing, e.g.
   * Chrome on Android, or with `mode: 'dedicated'`): `() => new Worker(new URL('./parley.worker.ts', import.meta.url), { type: 'module' })`.
   */
  worker?: () => Worker
  /** `auto` (default) prefers the SharedWorker. */
  mode?: 'auto' | 'shared-worker' | 'dedicated'
}

function newId(): string {
  return globalThis.crypto.randomUUID()
}

/**
 * A tab's handle on Parley. Create with {@link createParleyClient}; `close()` when the tab no
 * longer needs it (the host also notices a tab that simply goes away). The engine's actions
 * (`send`, `page`, `subscribeConversation`…) are declared once in `ENGINE_ACTIONS`; the methods
 * here are the tab's own (auth, lifetime) and the two that choose an id for idempotent retries.
 */
export class ParleyClient extends ClientEngineActions {
  /** Which engine serves this tab, and how (`user` is empty while nobody is signed in). */
  info: HostInfo
  /** This tab's id. */
  readonly tabId: string
  readonly #remote: Comlink.Remote<ParleyHostApi>
  readonly #dispose: () => void
  readonly #authListeners = new Set<(state: AuthState) => void>()
  #auth: AuthState
  #closed = false

  /** @internal Use {@link createParleyClient}. */
  constructor(
    remote: Comlink.Remote<ParleyHostApi>,
    info: HostInfo,
    auth: AuthState,
    tabId: string,
    dispose: () => void,
  ) {
    super({
      call: (method, args) => invokeMethod(remote, method, args),
      subscribe: (method, args, listener) =>
        subscribeVia(remote, (cb) => invokeMethod(remote, method, [tabId, ...args, cb]), listener),
    })
    this.#remote = remote
    this.info = info
    this.#auth = auth
    this.tabId = tabId
    this.#dispose = dispose
    if (info.server) this.#followAuth()
  }

  /**
   * Who the engine serves, the same in every tab of the browser. Subscriptions made for one user
   * end when another signs in (a React tree under `ParleyProvider` remounts by itself).
   */
  get auth(): AuthState {
    return this.#auth
  }

  /** Whether a user is signed in (the engine runs). */
  get signedIn(): boolean {
    return this.#auth.status === 'signed-in'
  }

  /** Calls `listener` after every change of {@link auth} (not now). */
  onAuthChange(listener: (state: AuthState) => void): Unsubscribe {
    this.#authListeners.add(listener)
    return () => this.#authListeners.delete(listener)
  }

  /**
   * Resolves once the engine serves a signed-in user — `userId` when given — in this browser
   * (e.g. right after the app's own `supabase.auth.signIn…`, before showing the chat). It waits
   * as long as it takes: race it with a timeout where the network may be down.
   */
  whenSignedIn(userId?: string): Promise<AuthState> {
    const serves = (state: AuthState): boolean =>
      state.status === 'signed-in' && (userId === undefined || state.user.id === userId)
    if (serves(this.#auth)) return Promise.resolve(this.#auth)
    return new Promise((resolve) => {
      const stop = this.onAuthChange((state) => {
        if (!serves(state)) return
        stop()
        resolve(state)
      })
    })
  }

  /**
   * Hands the app's session to the engine (see `ParleyHostApi.setSession`): the engine starts
   * for its user, or renews its token, or switches to the new user. Resolves with the new state.
   */
  async setSession(session: AuthSession): Promise<AuthState> {
    this.#setAuth(await this.#remote.setSession(session))
    return this.#auth
  }

  /**
   * Signs the user out of Parley in every tab. Fails with `HostError` `pending-changes` while
   * the server lacks some of their changes, unless `{ force: true }` (they are then kept for the
   * user's next sign-in, unless `localData: 'wipe'`). Sign out of Supabase after this.
   */
  async signOut(options: SignOutOptions = {}): Promise<AuthState> {
    this.#setAuth(await this.#remote.signOut(options))
    return this.#auth
  }

  /** Creates a conversation owned by the user; resolves once durable. */
  override createConversation = (
    input: CreateConversationInput = {},
  ): Promise<ConversationSummary> =>
    // The id is chosen here so a call retried after a leader change cannot create two.
    this.#remote.createConversation({ id: newId(), ...input })

  /** Sends a message; resolves once it is durable locally (status `sending`). */
  override send = (conversationId: string, input: SendInput): Promise<MessageItem> => {
    // The id is chosen here so a call retried after a leader change cannot send twice.
    const id = input.id ?? newMessageId()
    return this.#remote.send(conversationId, { ...input, id })
  }

  /** Drops every subscription of this tab and releases the worker connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#stopAuth?.()
    this.#authListeners.clear()
    try {
      await this.#remote.goodbye(this.tabId)
    } finally {
      this.#remote[Comlink.releaseProxy]()
      this.#dispose()
    }
  }

  #followAuth(): void {
    this.#stopAuth = subscribeVia(
      this.#remote,
      (cb) => this.#remote.subscribeAuth(this.tabId, cb),
      (state: AuthState) => this.#setAuth(state),
    )
  }

  #stopAuth: Unsubscribe | undefined

  #setAuth(state: AuthState): void {
    const before = this.#auth
    if (JSON.stringify(before) === JSON.stringify(state)) return
    this.#auth = state
    const user = state.status === 'signed-in' ? state.user : undefined
    const { displayName: _old, ...rest } = this.info
    void _old
    this.info = {
      ...rest,
      user: user?.id ?? '',
      ...(user !== undefined && user.displayName !== '' ? { displayName: user.displayName } : {}),
    }
    const userChanged = (before.status === 'signed-in' ? before.user.id : '') !== (user?.id ?? '')
    if (userChanged && user !== undefined) {
      // The device id belongs to the user's database: ask the host again.
      this.#remote
        .init({ tabId: this.tabId, version: HOST_API_VERSION })
        .then((info) => {
          if (info.user === this.info.user) this.info = info
        })
        .catch(() => undefined)
    }
    for (const listener of this.#authListeners) listener(state)
  }
}

/**
 * Starts a subscription at the host with a comlink-proxied listener; returns the function that
 * ends it (silences the listener at once, then tells the host once it answered with an id).
 */
function subscribeVia<T>(
  remote: Comlink.Remote<ParleyHostApi>,
  start: (listener: (value: T) => void) => Promise<unknown>,
  listener: (value: T) => void,
): Unsubscribe {
  let active = true
  const subscription = start(
    Comlink.proxy((value: T) => {
      if (active) listener(value)
    }),
  )
  // A refused subscription simply never pushes (e.g. signed out meanwhile).
  subscription.catch(() => undefined)
  return () => {
    if (!active) return
    active = false
    subscription
      .then((id) => (typeof id === 'string' ? remote.unsubscribe(id) : undefined))
      .catch(() => undefined)
  }
}

/**
 * Connects this tab to the browser's Parley engine: a SharedWorker where the browser has one,
 * otherwise a dedicated worker that joins the Web Locks election. Resolves once the engine
 * answered `init`.
 */
export async function createParleyClient(options: ParleyClientOptions): Promise<ParleyClient> {
  installErrorTransfer()
  const mode = options.mode ?? 'auto'
  const canShare = typeof SharedWorker !== 'undefined' && options.sharedWorker !== undefined
  const tabId = newId()
  let endpoint: Comlink.Endpoint
  let dispose: () => void
  if (mode !== 'dedicated' && canShare) {
    const shared = options.sharedWorker!()
    shared.port.start()
    endpoint = shared.port
    dispose = () => shared.port.close()
  } else if (options.worker !== undefined && mode !== 'shared-worker') {
    const worker = options.worker()
    endpoint = worker
    dispose = () => worker.terminate()
  } else {
    throw new HostError('not-initialized', 'createParleyClient needs `sharedWorker` or `worker`')
  }
  // The host learns this tab went away when it can take this lock (held until the tab dies).
  holdTabLock(tabId)
  const remote = Comlink.wrap<ParleyHostApi>(endpoint)
  const info = await remote.init({
    ...(options.user !== undefined ? { user: options.user } : {}),
    tabId,
    version: HOST_API_VERSION,
  })
  if (info.version !== HOST_API_VERSION) {
    throw new HostError('version-mismatch', `host API ${info.version}, client ${HOST_API_VERSION}`)
  }
  const auth: AuthState = info.server
    ? await remote.authState()
    : { status: 'signed-in', user: { id: info.user, displayName: '' }, token: 'valid' }
  const stopWatching = watchNetwork(remote)
  return new ParleyClient(remote, info, auth, tabId, () => {
    stopWatching()
    dispose()
  })
}

/**
 * Forwards the browser's `online`/`offline` events to the host: a worker's sockets may outlive an
 * outage for a while, and the host should stop sending and report `offline` at once.
 */
function watchNetwork(remote: Comlink.Remote<ParleyHostApi>): () => void {
  const target = globalThis as unknown as Partial<
    Pick<Window, 'addEventListener' | 'removeEventListener'>
  >
  const navigator = globalThis.navigator as Navigator | undefined
  if (typeof target.addEventListener !== 'function' || navigator === undefined)
    return () => undefined
  const report = (): void => {
    remote.setNetwork(navigator.onLine).catch(() => undefined)
  }
  if (!navigator.onLine) report()
  target.addEventListener('online', report)
  target.addEventListener('offline', report)
  return () => {
    target.removeEventListener?.('online', report)
    target.removeEventListener?.('offline', report)
  }
}

/** Name of the Web Lock a tab holds for its whole life. */
export function tabLockName(tabId: string): string {
  return `parley-tab:${tabId}`
}

function holdTabLock(tabId: string): void {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks === undefined) return
  void locks
    .request(tabLockName(tabId), () => new Promise<never>(() => undefined))
    .catch(() => undefined)
}
