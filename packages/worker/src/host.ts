// The worker side. `startParleyHost` runs in the app's worker file and makes sure the browser has
// exactly one engine: in a SharedWorker it is simply the shared worker's; in dedicated workers
// (no SharedWorker, or forced) the worker holding the engine Web Lock runs it and the others
// relay to it. Either way the engine also holds that lock, so two engines never share storage.
import * as Comlink from 'comlink'
import type { EngineOptions, StorageAdapter } from '@parley/core'
import { createIndexedDbAuthMemory, type AuthMemory } from './auth-memory.js'
import { tabLockName } from './client.js'
import { installErrorTransfer } from './error-transfer.js'
import { createOwnerApi, type OwnerApi } from './owner-api.js'
import type { ServerConnector } from './server-connector.js'
import type { StorageContext } from './user-engine.js'
import {
  HOST_API_METHODS,
  HOST_API_VERSION,
  HostError,
  type HostConfig,
  type HostInfo,
  type HostMode,
  type ParleyHostApi,
} from './host-api.js'
import { createRouter } from './router.js'
import {
  createRelayClient,
  createRelayServer,
  type RelayClient,
  type RelayServer,
} from './relay.js'

export * from './host-api.js'
export * from './server-connector.js'
export * from './auth-state.js'
export {
  createIndexedDbAuthMemory,
  createMemoryAuthMemory,
  type AuthMemory,
} from './auth-memory.js'
export { STORAGE_OWNER_KEY, type StorageContext } from './user-engine.js'
export { createOwnerApi, type OwnerApi, type OwnerApiOptions } from './owner-api.js'
export {
  createEngineHostApi,
  type EngineHostApi,
  type EngineHostApiOptions,
} from './engine-host-api.js'

/** Options of {@link startParleyHost}. */
export interface ParleyHostOptions {
  /**
   * Opens a user's own database, e.g.
   * `({ user }) => createDexieStorage({ name: \`my-app:${user}\` })`. Called by the engine owner
   * each time a user's engine starts. A database that records another user is refused
   * (`storage-user-mismatch`), so name it after the user.
   */
  createStorage: (context: StorageContext) => StorageAdapter | Promise<StorageAdapter>
  /**
   * Deletes a user's database, for `signOut({ localData: 'wipe' })`, e.g.
   * `({ user }) => deleteDexieStorage({ name: \`my-app:${user}\` })`. Default: none (wiping is
   * refused with `no-wipe`).
   */
  deleteStorage?: (context: StorageContext) => Promise<void>
  /**
   * The server (e.g. `() => createSupabaseServer({ url, key })` from
   * `@parley/transport-supabase`): the live transports and the durable log of the signed-in
   * user, who comes from the app's own auth through the tabs (`ParleyClient.setSession`).
   * Called once, by the engine owner only; a throw (e.g. a configuration error) fails the tabs'
   * `createParleyClient` with that error. Default: none (local only; tabs pass `user`).
   */
  connect?: () => ServerConnector | Promise<ServerConnector>
  /** Where the last signed-in user is remembered. Default: IndexedDB database `<name>:auth`. */
  authMemory?: AuthMemory
  /** Namespace of the Web Locks and channels. Default `'parley'`. */
  name?: string
  /** Engine tuning (hot-set size, tail size…). */
  engine?: Omit<EngineOptions, 'storage' | 'user' | 'transports' | 'remote'>
  /** Non-fatal errors. Default: ignored. */
  onError?: (error: unknown) => void
}

/** A running host (returned for tests and for a clean shutdown). */
export interface ParleyHost {
  /** The current mode of this worker. */
  readonly mode: () => HostMode | 'starting'
  close(): Promise<void>
}

interface WorkerScope {
  onconnect?: ((event: MessageEvent) => void) | null
  navigator: Navigator
}

/** Name of the Web Lock held by the one engine of the browser. */
export function engineLockName(name: string): string {
  return `${name}:engine`
}

/** The part of the Web Locks API the host uses (injectable for tests). */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>
}

/** Options of {@link createHostCore}: the host options plus the environment. */
export interface HostCoreOptions extends ParleyHostOptions {
  /** `shared`: one engine in this SharedWorker; `dedicated`: elect a leader among tabs' workers. */
  kind: 'shared' | 'dedicated'
  /** Web Locks; default `navigator.locks` (absent: this worker always leads). */
  locks?: LockManagerLike | undefined
}

/** A host's tab-facing API and its lifetime. */
export interface HostCore extends ParleyHost {
  /** What a tab talks to (through comlink in a worker, directly in tests). */
  readonly api: ParleyHostApi
}

/**
 * The host's logic, independent of the worker global: the engine (started once, under the engine
 * lock), the tab-facing router, and in dedicated mode the relay to and from the leader.
 */
export function createHostCore(options: HostCoreOptions): HostCore {
  const name = options.name ?? 'parley'
  const onError = options.onError ?? (() => undefined)
  const locks = options.locks
  const engineId = globalThis.crypto.randomUUID()
  let mode: HostMode | 'starting' = 'starting'
  let local: OwnerApi | undefined
  let starting: Promise<OwnerApi> | undefined
  let relay: RelayClient | undefined
  let server: RelayServer | undefined
  let releaseLock: (() => void) | undefined
  let closed = false

  /** Opens storage (and the server connector), once, under the engine lock (waits while another holds it). */
  const startOwner = (asMode: HostMode): Promise<OwnerApi> => {
    starting ??= (async () => {
      await acquire(locks, engineLockName(name), (release) => (releaseLock = release))
      if (closed) {
        // Granted after this host closed (its worker would be gone): pass the lock on at once.
        releaseLock?.()
        throw new HostError('not-initialized', 'the host closed while starting')
      }
      let connector: ServerConnector | undefined
      try {
        connector = await options.connect?.()
      } catch (error) {
        // A configuration error: every tab's init fails with it; the next start tries again.
        releaseLock?.()
        starting = undefined
        throw error
      }
      mode = asMode
      local = createOwnerApi({
        createStorage: options.createStorage,
        ...(options.deleteStorage !== undefined ? { deleteStorage: options.deleteStorage } : {}),
        connector,
        memory: options.authMemory ?? createIndexedDbAuthMemory(`${name}:auth`),
        mode: asMode,
        engineId,
        ...(options.engine !== undefined ? { engine: options.engine } : {}),
        onError,
      })
      return local
    })()
    return starting
  }

  /** Cleans a tab's subscriptions when it goes away (its lock becomes free). */
  const watchTab = (tabId: string, api: () => ParleyHostApi | undefined): void => {
    locks
      ?.request(tabLockName(tabId), async () => {
        await api()?.goodbye(tabId)
      })
      .catch(onError)
  }

  const checkVersion = (config: HostConfig): void => {
    if (config.version !== undefined && config.version !== HOST_API_VERSION) {
      throw new HostError(
        'version-mismatch',
        `client API ${String(config.version)}, host ${HOST_API_VERSION}`,
      )
    }
  }

  let api: ParleyHostApi
  if (options.kind === 'shared') {
    // One engine for every tab: each port gets the same API.
    api = routerApi(
      async (config) => {
        checkVersion(config)
        const started = await startOwner('shared-worker')
        watchTab(config.tabId, () => local)
        return started.init(config)
      },
      () => local,
    )
  } else {
    // Dedicated worker: follow until this worker wins the engine lock, then lead.
    const workerId = globalThis.crypto.randomUUID()
    const client = (relay = createRelayClient(`${name}:relay`, workerId))
    api = routerApi(
      async (config) => {
        checkVersion(config)
        watchTab(config.tabId, () => local ?? client.api)
        const leading = startOwner('leader')
        leading
          .then(async (started) => {
            if (closed) return
            // Taking over from a leader that went away: start the engine for the same user (or
            // the stored session) before answering the calls that were waiting for a leader.
            await started.init(config).catch(onError)
            mode = 'leader'
            client.promote(started, engineId)
            server = createRelayServer(`${name}:relay`, engineId, started)
          })
          .catch(onError)
        // Routed to the leader, or run here once this worker is promoted. If this worker cannot
        // start an engine at all (a configuration error), say so instead of waiting for a leader.
        const info: HostInfo = await Promise.race([
          client.api.init(config),
          leading.then(
            () => new Promise<never>(() => undefined),
            (error: unknown) => Promise.reject(error),
          ),
        ])
        if (info.engineId === engineId) return info
        if (mode === 'starting') mode = 'follower'
        return { ...info, mode: 'follower' }
      },
      () => local ?? client.api,
    )
  }

  return {
    api,
    mode: () => mode,
    async close() {
      if (closed) return
      closed = true
      relay?.close()
      server?.close()
      await local?.close()
      releaseLock?.()
    },
  }
}

/** Starts the host in the current worker (SharedWorker or dedicated). */
export function startParleyHost(options: ParleyHostOptions): ParleyHost {
  installErrorTransfer()
  const scope = globalThis as unknown as WorkerScope
  const isShared = 'onconnect' in scope && typeof SharedWorkerGlobalScope !== 'undefined'
  const core = createHostCore({
    ...options,
    kind: isShared ? 'shared' : 'dedicated',
    locks: scope.navigator.locks,
  })
  if (isShared) {
    scope.onconnect = (event: MessageEvent) => {
      const port = event.ports[0]
      if (port !== undefined) Comlink.expose(core.api, port)
    }
  } else {
    Comlink.expose(core.api)
  }
  return { mode: core.mode, close: () => core.close() }
}

/**
 * The object exposed to tabs: `init` is special (it may start the engine); every other declared
 * call goes to the current target (the local owner API, or the relay to the leader).
 */
function routerApi(
  init: (config: HostConfig) => Promise<HostInfo>,
  target: () => ParleyHostApi | undefined,
): ParleyHostApi {
  const router = createRouter<ParleyHostApi>({
    methods: HOST_API_METHODS,
    target,
    missing: () => new HostError('not-initialized', 'call init() first'),
  })
  return { ...router.api, init }
}

/** Takes an exclusive Web Lock and keeps it until `release` is called (or the worker dies). */
async function acquire(
  locks: LockManagerLike | undefined,
  lockName: string,
  onRelease: (release: () => void) => void,
): Promise<void> {
  if (locks === undefined) return
  await new Promise<void>((granted, failed) => {
    locks
      .request(lockName, () => {
        granted()
        return new Promise<void>((release) => onRelease(release))
      })
      .catch(failed)
  })
}

declare const SharedWorkerGlobalScope: unknown
