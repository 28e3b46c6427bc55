// The server connector for Parley's worker host (`startParleyHost({ connect })`): anonymous
// sign-in with a display name, the session kept in the engine's own storage, and the remote log
// and live transport of the signed-in user. It matches `ServerConnector` of `@parley/worker`
// structurally, so this package does not depend on the worker package.
import {
  createClient,
  type SupabaseClient,
  type SupabaseClientOptions,
} from '@supabase/supabase-js'
import type { RemoteLog, StorageAdapter, Transport } from '@parley/core'
import { createSupabaseRemoteLog } from './create-supabase-remote-log.js'
import { createSupabaseTransport } from './create-supabase-transport.js'

/** The key of the session in the engine's kv store (also supabase-js's storage key). */
export const SESSION_STORAGE_KEY = 'parley-supabase-session'

/** A signed-in user, as the host sees it. */
export interface SupabaseConnectorUser {
  readonly id: string
  readonly displayName: string
}

/** Options of {@link createSupabaseConnector}. */
export interface SupabaseConnectorOptions {
  /** The project URL, e.g. `http://127.0.0.1:54321` (the local emulator or `supabase start`). */
  url: string
  /** The anon (publishable) key. */
  anonKey: string
  /** The engine's storage: the session is kept in its kv store, shared by every tab. */
  storage: StorageAdapter
  /** The link that joins with an invite code, e.g. `` (code) => `${origin}/join/${code}` ``. */
  inviteUrl?: (code: string) => string
  /** Extra supabase-js options (on Node 20: `{ realtime: { transport: WebSocket } }`). */
  clientOptions?: SupabaseClientOptions<'public'>
  /** Non-fatal errors of the log and the transport. */
  onError?: (error: unknown) => void
}

/** A Supabase connector: sign-in, session, and the per-user log and transport. */
export interface SupabaseConnector {
  readonly client: SupabaseClient
  restore(): Promise<SupabaseConnectorUser | null>
  signInAnonymously(displayName: string): Promise<SupabaseConnectorUser>
  open(user: SupabaseConnectorUser): { remote: RemoteLog; transports: Transport[] }
  inviteUrl?(code: string): string
  close(): Promise<void>
}

/** A supabase-js storage on the engine's kv store (IndexedDB in the worker: no localStorage there). */
function kvStorage(
  storage: StorageAdapter,
): NonNullable<NonNullable<SupabaseClientOptions<'public'>['auth']>['storage']> {
  return {
    getItem: async (key: string) => {
      const value = await storage.kvGet(key)
      return typeof value === 'string' ? value : null
    },
    setItem: (key: string, value: string) => storage.kvPut(key, value),
    removeItem: (key: string) => storage.kvPut(key, undefined),
  }
}

function toUser(user: {
  id: string
  user_metadata?: Record<string, unknown>
}): SupabaseConnectorUser {
  const name = user.user_metadata?.display_name
  return { id: user.id, displayName: typeof name === 'string' ? name : '' }
}

/** Creates the connector. The app's worker passes it to `startParleyHost({ connect })`. */
export function createSupabaseConnector(options: SupabaseConnectorOptions): SupabaseConnector {
  const client = createClient(options.url, options.anonKey, {
    ...options.clientOptions,
    auth: {
      storage: kvStorage(options.storage),
      storageKey: SESSION_STORAGE_KEY,
      persistSession: true,
      // The remote log and the transport keep the session fresh themselves (keep-session-fresh).
      autoRefreshToken: false,
      detectSessionInUrl: false,
      ...options.clientOptions?.auth,
    },
  })
  const opened: { remote?: RemoteLog; transport?: Transport } = {}
  let closed = false

  return {
    client,
    async restore() {
      // Read the stored session directly: offline, an expired access token cannot be refreshed,
      // yet the user is known and the engine must start (it syncs when the network is back).
      const raw = await options.storage.kvGet(SESSION_STORAGE_KEY)
      if (typeof raw !== 'string') return null
      try {
        const parsed = JSON.parse(raw) as {
          user?: { id?: unknown; user_metadata?: Record<string, unknown> }
        }
        const id = parsed.user?.id
        return typeof id === 'string'
          ? toUser({
              id,
              ...(parsed.user?.user_metadata ? { user_metadata: parsed.user.user_metadata } : {}),
            })
          : null
      } catch {
        // A corrupt stored session is the same as none: the user signs in again.
        return null
      }
    },
    async signInAnonymously(displayName) {
      const { data, error } = await client.auth.signInAnonymously({
        options: { data: { display_name: displayName } },
      })
      if (error !== null) throw error
      if (data.user === null) throw new Error('sign-in returned no user')
      return toUser(data.user)
    },
    open(user) {
      void user
      const onError = options.onError ?? (() => undefined)
      opened.remote = createSupabaseRemoteLog({
        client,
        onError,
        ...(options.inviteUrl !== undefined ? { inviteUrl: options.inviteUrl } : {}),
      })
      opened.transport = createSupabaseTransport({ client, onError })
      return { remote: opened.remote, transports: [opened.transport] }
    },
    ...(options.inviteUrl !== undefined ? { inviteUrl: options.inviteUrl } : {}),
    async close() {
      if (closed) return
      closed = true
      // The engine closes the log and the transport it was given; drop anything left.
      await client.removeAllChannels()
    },
  }
}
