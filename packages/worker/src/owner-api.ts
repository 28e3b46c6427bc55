// The API of the worker that owns the engine (the SharedWorker, or the dedicated-mode leader).
// It exists before anyone is signed in and follows the app's auth: the remembered user at start,
// then the sessions tabs hand over (`setSession`) and `signOut`. Each user gets their own engine
// over their own database; a user change closes one and opens the other, never both at once.
// Every other call goes to the running user's engine API, and is refused with `not-signed-in`
// while there is none.
import { ENGINE_ACTIONS, type EngineOptions, type StorageAdapter } from '@parley/core'
import type { AuthMemory } from './auth-memory.js'
import {
  SIGNED_OUT,
  isAuthSession,
  sameAuthState,
  type AuthSession,
  type AuthState,
  type AuthUser,
  type SignOutOptions,
} from './auth-state.js'
import {
  HOST_API_VERSION,
  HostError,
  type HostConfig,
  type HostInfo,
  type HostListener,
  type HostEngineApi,
  type HostMode,
  type ParleyHostApi,
} from './host-api.js'
import { createRouter } from './router.js'
import type { ServerConnector } from './server-connector.js'
import { openUserEngine, type StorageContext, type UserEngine } from './user-engine.js'

/** Options of {@link createOwnerApi}. */
export interface OwnerApiOptions {
  /** Opens a user's own database. */
  createStorage: (context: StorageContext) => StorageAdapter | Promise<StorageAdapter>
  /** Deletes a user's database (`signOut({ localData: 'wipe' })`). */
  deleteStorage?: (context: StorageContext) => Promise<void>
  connector: ServerConnector | undefined
  /** The last signed-in user, restored at start. */
  memory: AuthMemory
  mode: HostMode
  engineId: string
  engine?: Omit<EngineOptions, 'storage' | 'user' | 'transports' | 'remote'>
  onError: (error: unknown) => void
  /** The clock for token expiry (ms). Default `Date.now`. */
  now?: () => number
}

/** The owner's API and its lifetime. */
export interface OwnerApi extends ParleyHostApi {
  /** The running user's engine, if any. */
  readonly engine: () => UserEngine['engine'] | undefined
  /** Closes the running engine and the connector. Idempotent. */
  close(): Promise<void>
}

interface Token {
  value: string
  /** Unix ms; undefined: no known expiry. */
  expiresAt: number | undefined
}

/** Builds the owner's API. */
export function createOwnerApi(options: OwnerApiOptions): OwnerApi {
  const { connector, mode, engineId, onError, memory } = options
  const now = options.now ?? Date.now
  const authListeners = new Map<string, { tabId: string; listener: HostListener<AuthState> }>()
  let current: UserEngine | undefined
  let token: Token | null = null
  let expiryTimer: ReturnType<typeof setTimeout> | undefined
  let lastState: AuthState = SIGNED_OUT
  let network = true
  let restored = false
  let closed = false
  // Auth transitions run one at a time: two tabs handing over sessions at once must not open two
  // engines, and a sign-out must not interleave with a sign-in.
  let queue: Promise<unknown> = Promise.resolve()
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work)
    queue = run.catch(() => undefined)
    return run
  }

  const tokenState = (): 'valid' | 'expired' | 'missing' => {
    if (token === null) return 'missing'
    return token.expiresAt !== undefined && token.expiresAt <= now() ? 'expired' : 'valid'
  }

  const state = (): AuthState =>
    current === undefined
      ? SIGNED_OUT
      : {
          status: 'signed-in',
          user: current.user,
          // A local-only engine has no server to reach: its user is simply signed in.
          token: connector === undefined ? 'valid' : tokenState(),
        }

  /** Tells the engine whether it may reach the server, and every tab what changed. */
  const changed = (): void => {
    if (current !== undefined) {
      const usable = connector === undefined || tokenState() === 'valid'
      current.engine.setNetwork(network && usable)
    }
    const next = state()
    if (sameAuthState(next, lastState)) return
    lastState = next
    for (const { listener } of authListeners.values()) call(listener, next)
  }

  const call = (listener: HostListener<AuthState>, value: AuthState): void => {
    try {
      const result = listener(value) as unknown
      if (result instanceof Promise) result.catch(onError)
    } catch (error) {
      onError(error)
    }
  }

  const setToken = (next: Token | null): void => {
    token = next
    if (expiryTimer !== undefined) clearTimeout(expiryTimer)
    expiryTimer = undefined
    if (next?.expiresAt !== undefined) {
      const left = next.expiresAt - now()
      // setTimeout's delay is a signed 32-bit number: a long-lived token needs no timer yet.
      if (left > 0 && left < 2 ** 31 - 1) expiryTimer = setTimeout(changed, left)
    }
  }

  const open = async (user: AuthUser): Promise<void> => {
    if (closed) throw new HostError('not-initialized', 'the host is closed')
    current = await openUserEngine({
      user,
      createStorage: options.createStorage,
      connector,
      accessToken: () => (tokenState() === 'valid' ? token!.value : null),
      mode,
      engineId,
      ...(options.engine !== undefined ? { engine: options.engine } : {}),
      onError,
    })
    changed()
  }

  const stop = async (): Promise<void> => {
    const running = current
    current = undefined
    await running?.close()
  }

  /** Once per owner: the remembered user, so an offline visit opens their data. */
  const restore = (): Promise<void> =>
    serially(async () => {
      if (restored || current !== undefined) return
      restored = true
      const user = await memory.load().catch((error: unknown) => {
        onError(error)
        return null
      })
      if (user !== null) await open(user)
    })

  const info = (): HostInfo => ({
    version: HOST_API_VERSION,
    mode,
    engineId,
    user: current?.user.id ?? '',
    ...(current !== undefined && current.user.displayName !== ''
      ? { displayName: current.user.displayName }
      : {}),
    device: current?.engine.device ?? '',
    server: connector !== undefined,
  })

  const notSignedIn = (): HostError =>
    new HostError('not-signed-in', 'no user is signed in: hand over a session first')

  const running = (): UserEngine => {
    if (current === undefined) throw notSignedIn()
    return current
  }

  // The engine's declared actions go to the running user's engine API.
  const engineActions = createRouter<HostEngineApi>({
    methods: ENGINE_ACTIONS,
    target: () => current?.api,
    missing: notSignedIn,
  })

  return {
    ...engineActions.api,
    engine: () => current?.engine,

    async init(config: HostConfig): Promise<HostInfo> {
      if (config.user !== undefined) {
        // Local-only: the app names the user. Another user than the running one is refused.
        const user = config.user
        await serially(async () => {
          if (current === undefined) await open({ id: user, displayName: '' })
        })
        await running().api.init(config)
        return info()
      }
      if (connector === undefined) {
        throw new HostError(
          'no-server',
          'pass `user` to createParleyClient, or give the host a server connector',
        )
      }
      await restore()
      return info()
    },

    async setSession(session: AuthSession): Promise<AuthState> {
      if (connector === undefined)
        throw new HostError('no-server', 'this host has no server connector')
      if (!isAuthSession(session))
        throw new HostError(
          'invalid-session',
          'setSession needs { user: { id, displayName }, accessToken }',
        )
      restored = true
      return serially(async () => {
        const next: Token = {
          value: session.accessToken,
          expiresAt: session.expiresAt !== undefined ? session.expiresAt * 1000 : undefined,
        }
        if (current !== undefined && current.user.id === session.user.id) {
          const renewed = token?.value !== next.value
          setToken(next)
          if (renewed) current.tokenChanged()
          changed()
          return state()
        }
        await stop()
        setToken(next)
        await memory.save(session.user).catch(onError)
        await open(session.user)
        return state()
      })
    },

    async signOut(signOutOptions: SignOutOptions = {}): Promise<AuthState> {
      return serially(async () => {
        const running = current
        if (running === undefined) return state()
        const wipe = signOutOptions.localData === 'wipe'
        if (wipe && options.deleteStorage === undefined)
          throw new HostError('no-wipe', "give the host `deleteStorage` to wipe a user's data")
        await running.engine.flush()
        const { pending, unsaved } = running.engine.syncStatus()
        if (pending + unsaved > 0 && signOutOptions.force !== true) {
          throw new HostError(
            'pending-changes',
            `${pending + unsaved} change(s) are not on the server yet: sign out with { force: true } to keep them for the next sign-in`,
          )
        }
        await stop()
        setToken(null)
        await memory.save(null).catch(onError)
        if (wipe) await options.deleteStorage!({ user: running.user.id })
        changed()
        return state()
      })
    },

    async authState(): Promise<AuthState> {
      return state()
    },

    async subscribeAuth(tabId: string, listener: HostListener<AuthState>): Promise<string> {
      const id = globalThis.crypto.randomUUID()
      authListeners.set(id, { tabId, listener })
      call(listener, state())
      return id
    },

    async unsubscribe(subscriptionId: string): Promise<void> {
      if (authListeners.delete(subscriptionId)) return
      await current?.api.unsubscribe(subscriptionId)
    },

    async goodbye(tabId: string): Promise<void> {
      for (const [id, entry] of authListeners) if (entry.tabId === tabId) authListeners.delete(id)
      await current?.api.goodbye(tabId)
    },

    async setNetwork(online: boolean): Promise<void> {
      network = online
      changed()
    },

    async close(): Promise<void> {
      if (closed) return
      closed = true
      if (expiryTimer !== undefined) clearTimeout(expiryTimer)
      authListeners.clear()
      await queue
      await stop()
      await connector?.close()
    },
  }
}
