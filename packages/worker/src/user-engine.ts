// One user's engine with everything it holds: that user's own database, the server session
// (when the host has a connector), the engine, and the tab-facing API over it. Opened when a
// user signs in (or is restored), closed when they sign out or another user signs in.
import { Engine, type EngineOptions, type StorageAdapter } from '@parley/core'
import type { AuthUser } from './auth-state.js'
import { createEngineHostApi, type EngineHostApi } from './engine-host-api.js'
import { HostError, type HostMode } from './host-api.js'
import type { ServerConnector, ServerSession } from './server-connector.js'

/** What `createStorage` receives: whose database to open. */
export interface StorageContext {
  /** The user id. Name the database after it (e.g. `` `my-app:${user}` ``): one per user. */
  readonly user: string
}

/** The kv key that records which user a database belongs to. */
export const STORAGE_OWNER_KEY = 'parley:owner'

/** Options of {@link openUserEngine}. */
export interface UserEngineOptions {
  user: AuthUser
  createStorage: (context: StorageContext) => StorageAdapter | Promise<StorageAdapter>
  connector: ServerConnector | undefined
  /** The current access token (read by the server session on every request). */
  accessToken: () => string | null
  mode: HostMode
  engineId: string
  engine?: Omit<EngineOptions, 'storage' | 'user' | 'transports' | 'remote'>
  onError: (error: unknown) => void
}

/** A running engine of one user. */
export interface UserEngine {
  readonly user: AuthUser
  readonly engine: Engine
  readonly api: EngineHostApi
  /** The access token changed: pass it on to the server session. */
  tokenChanged(): void
  /** Flushes and closes the engine, the server session and the database. Idempotent. */
  close(): Promise<void>
}

/**
 * Opens `options.user`'s database and engine. A database that records another owner is refused
 * (`storage-user-mismatch`): an app whose `createStorage` ignores the user must not show one
 * user's conversations to another.
 */
export async function openUserEngine(options: UserEngineOptions): Promise<UserEngine> {
  const { user, connector, onError } = options
  const storage = await options.createStorage({ user: user.id })
  let session: ServerSession | undefined
  try {
    await claimStorage(storage, user.id)
    session = await connector?.open({ user, accessToken: options.accessToken })
    const engine = await Engine.open({
      ...options.engine,
      storage,
      user: user.id,
      transports: session?.transports ?? [],
      ...(session !== undefined ? { remote: session.remote } : {}),
      ...(user.displayName !== '' ? { displayName: user.displayName } : {}),
      onError,
    })
    const api = createEngineHostApi({
      engine,
      mode: options.mode,
      engineId: options.engineId,
      onError,
      server: connector !== undefined,
      ...(user.displayName !== '' ? { displayName: user.displayName } : {}),
      ...(connector?.inviteUrl !== undefined
        ? { inviteUrl: (code: string) => connector.inviteUrl!(code) }
        : {}),
    })
    let closing: Promise<void> | undefined
    const opened = session
    return {
      user,
      engine,
      api,
      tokenChanged: () => opened?.tokenChanged?.(),
      close: () =>
        (closing ??= (async () => {
          api.dispose()
          await engine.close()
          await opened?.close?.()
          await storage.close()
        })()),
    }
  } catch (error) {
    await Promise.resolve(session?.close?.()).catch(onError)
    await storage.close().catch(onError)
    throw error
  }
}

async function claimStorage(storage: StorageAdapter, user: string): Promise<void> {
  const owner = await storage.kvGet(STORAGE_OWNER_KEY)
  if (typeof owner === 'string' && owner !== user) {
    throw new HostError(
      'storage-user-mismatch',
      'this database belongs to another user: name it after the user in createStorage({ user })',
    )
  }
  if (owner === undefined) await storage.kvPut(STORAGE_OWNER_KEY, user)
}
