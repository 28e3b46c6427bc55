// The API of the worker that owns storage (the SharedWorker, or the dedicated-mode leader). It
// exists before anyone is signed in: `init` restores a stored session or takes the app's user,
// `signIn` signs in through the server connector, and either one starts the engine. Every other
// call needs the engine and is refused with `not-signed-in` before it runs.
import { Engine, type EngineOptions, type StorageAdapter } from '@parley/core'
import { createEngineHostApi, type EngineHostApi } from './engine-host-api.js'
import {
  HOST_API_VERSION,
  HostError,
  type HostConfig,
  type HostInfo,
  type HostMode,
  type ParleyHostApi,
} from './host-api.js'
import type { ServerConnector, ServerUser } from './server-connector.js'

/** Options of {@link createOwnerApi}. */
export interface OwnerApiOptions {
  storage: StorageAdapter
  connector: ServerConnector | undefined
  mode: HostMode
  engineId: string
  engine?: Omit<EngineOptions, 'storage' | 'user' | 'transports' | 'remote'>
  onError: (error: unknown) => void
}

/** The owner's API and its lifetime. */
export interface OwnerApi extends ParleyHostApi {
  /** The engine, once someone is signed in. */
  readonly engine: () => Engine | undefined
  /** Closes the engine and the connector (the storage is the caller's). Idempotent. */
  close(): Promise<void>
}

/** Builds the owner's API over open storage and an optional server connector. */
export function createOwnerApi(options: OwnerApiOptions): OwnerApi {
  const { storage, connector, mode, engineId, onError } = options
  let engine: Engine | undefined
  let api: EngineHostApi | undefined
  let starting: Promise<EngineHostApi> | undefined
  let restored: Promise<ServerUser | null> | undefined
  let closed = false
  let network = true

  const start = (
    user: string,
    displayName?: string,
    serverUser?: ServerUser,
  ): Promise<EngineHostApi> => {
    starting ??= (async () => {
      const session = serverUser !== undefined ? await connector?.open(serverUser) : undefined
      engine = await Engine.open({
        ...options.engine,
        storage,
        user,
        transports: session?.transports ?? [],
        ...(session !== undefined ? { remote: session.remote } : {}),
        ...(displayName !== undefined ? { displayName } : {}),
        onError,
      })
      if (!network) engine.setNetwork(false)
      api = createEngineHostApi({
        engine,
        mode,
        engineId,
        onError,
        server: connector !== undefined,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(connector?.inviteUrl !== undefined
          ? { inviteUrl: (code) => connector.inviteUrl!(code) }
          : {}),
      })
      return api
    })()
    return starting
  }

  const signedOutInfo = (): HostInfo => ({
    version: HOST_API_VERSION,
    mode,
    engineId,
    user: '',
    device: '',
    server: connector !== undefined,
  })

  const running = (): EngineHostApi => {
    if (api === undefined)
      throw new HostError('not-signed-in', 'sign in first (ParleyClient.signIn)')
    return api
  }

  const owner = {
    engine: () => engine,
    async init(config: HostConfig): Promise<HostInfo> {
      if (config.user !== undefined) return (await start(config.user)).init(config)
      if (starting !== undefined) return (await starting).init({ ...config, user: engine!.user })
      if (connector === undefined) {
        throw new HostError(
          'no-server',
          'pass `user` to createParleyClient, or give the host a connector',
        )
      }
      const user = await (restored ??= connector.restore())
      if (user === null) return signedOutInfo()
      return (await start(user.id, user.displayName, user)).init({ ...config, user: user.id })
    },
    async signIn(input: { displayName: string }): Promise<HostInfo> {
      if (connector === undefined)
        throw new HostError('no-server', 'this host has no server connector')
      if (starting !== undefined) return (await starting).signIn(input)
      const user = await connector.signInAnonymously(input.displayName)
      return (await start(user.id, user.displayName, user)).init({
        user: user.id,
        tabId: 'sign-in',
      })
    },
    async setNetwork(online: boolean): Promise<void> {
      network = online
      engine?.setNetwork(online)
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      api?.dispose()
      await engine?.close()
      await connector?.close()
    },
  }

  // Everything else goes to the engine's API once it runs.
  return new Proxy(owner as unknown as OwnerApi, {
    get(target, property, receiver) {
      if (typeof property !== 'string' || property in target)
        return Reflect.get(target, property, receiver)
      if (property === 'then') return undefined
      return (...args: unknown[]) =>
        Promise.resolve().then(() => {
          const fn = (running() as unknown as Record<string, (...a: unknown[]) => unknown>)[
            property
          ]
          if (typeof fn !== 'function') throw new Error(`unknown method ${property}`)
          return fn(...args)
        })
    },
  })
}
