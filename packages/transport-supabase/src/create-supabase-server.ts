// The server connector of Parley's worker (`startParleyHost({ connect })`) for Supabase: for each
// signed-in user, a supabase-js client that authenticates with the token the tabs handed over
// (supabase-js's `accessToken` option: this client never signs in, never refreshes, and keeps no
// session of its own), the durable remote log and the live transport on it. It matches
// `ServerConnector` of `@parley/worker` structurally, so this package does not depend on it.
import type { RemoteLog, Transport } from '@parley/core/ports'
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js'
import { createSupabaseRemoteLog } from './create-supabase-remote-log.js'
import { createSupabaseTransport } from './create-supabase-transport.js'
import { createExternalAuth } from './external-auth.js'
import { checkSupabaseConfig } from './supabase-config-error.js'

/** Options of {@link createSupabaseServer}. */
export interface SupabaseServerOptions {
  /** The project URL, e.g. `https://xyz.supabase.co` or the local `http://127.0.0.1:54321`. */
  url: string
  /** The browser key: a publishable key (`sb_publishable_…`) or the legacy anon key. */
  key: string
  /** The link that joins with an invite code, e.g. `` (code) => `${origin}/join/${code}` ``. */
  inviteUrl?: (code: string) => string
  /**
   * Extra supabase-js options (`global.headers`, `realtime`…; on Node 20 pass
   * `{ realtime: { transport: WebSocket } }`). `auth` and `accessToken` are Parley's.
   */
  clientOptions?: Omit<SupabaseClientOptions<'public'>, 'auth' | 'accessToken'>
  /** Non-fatal errors of the log and the transport. */
  onError?: (error: unknown) => void
}

/** What the host passes to `open` (see `ServerOpenContext` of `@parley/worker`). */
export interface SupabaseServerOpenContext {
  readonly user: { readonly id: string; readonly displayName: string }
  readonly accessToken: () => string | null
}

/** One user's server session (see `ServerSession` of `@parley/worker`). */
export interface SupabaseServerSession {
  remote: RemoteLog
  transports: Transport[]
  tokenChanged(): void
  close(): Promise<void>
}

/** The Supabase server connector. */
export interface SupabaseServer {
  open(context: SupabaseServerOpenContext): SupabaseServerSession
  inviteUrl?(code: string): string
  close(): Promise<void>
}

/**
 * Creates the connector. Throws a `SupabaseConfigError` at once for a missing or malformed URL
 * or key, which the host passes to every tab's `createParleyClient`.
 */
export function createSupabaseServer(options: SupabaseServerOptions): SupabaseServer {
  const url = checkSupabaseConfig(options.url, options.key)
  const onError = options.onError ?? (() => undefined)
  const sessions = new Set<SupabaseServerSession>()
  return {
    open({ user, accessToken }) {
      const auth = createExternalAuth(user.id)
      const client = createClient(url, options.key.trim(), {
        ...options.clientOptions,
        // `null` sends the key alone: the RPCs answer `not-authenticated`, which the engine
        // never sees because it stays offline while it has no token.
        accessToken: async () => accessToken(),
      })
      const remote = createSupabaseRemoteLog({
        client,
        externalAuth: auth,
        onError,
        ...(options.inviteUrl !== undefined ? { inviteUrl: options.inviteUrl } : {}),
      })
      // The log's inbox tells the transport when a conversation's live topic moves.
      const transport = createSupabaseTransport({
        client,
        externalAuth: auth,
        onError,
        remoteLog: remote,
      })
      let closed = false
      const session: SupabaseServerSession = {
        remote,
        transports: [transport],
        tokenChanged: () => {
          if (!closed) auth.changed()
        },
        async close() {
          if (closed) return
          closed = true
          sessions.delete(session)
          // The engine closed the log and the transport; drop the socket with it.
          await client.removeAllChannels()
          await client.realtime.disconnect()
        },
      }
      sessions.add(session)
      return session
    },
    ...(options.inviteUrl !== undefined ? { inviteUrl: options.inviteUrl } : {}),
    async close() {
      await Promise.all([...sessions].map((session) => session.close()))
    },
  }
}
