// What the host needs from a server (e.g. Supabase): who is signed in, how to sign in, and the
// live transports and durable log for that user. `@parley/transport-supabase` implements it;
// an app without a server passes `user` to the client instead.
import type { RemoteLog, StorageAdapter, Transport } from '@parley/core'

/** A signed-in user. */
export interface ServerUser {
  readonly id: string
  readonly displayName: string
}

/** The server side of one user's engine. */
export interface ServerSession {
  remote: RemoteLog
  transports: Transport[]
}

/**
 * Signs users in and connects their engine to the server. The host calls `restore` once at start,
 * `signInAnonymously` when a tab asks, then `open` for the user; `close` when the worker stops.
 * Sessions are kept in the engine's storage (`context.storage`), so every tab and every reload
 * shares one session and one token refresher.
 */
export interface ServerConnector {
  /** The user of the stored session, if any. */
  restore(): Promise<ServerUser | null>
  /** Signs in anonymously with a display name and stores the session. */
  signInAnonymously(displayName: string): Promise<ServerUser>
  /** The durable log and live transports for the signed-in user. */
  open(user: ServerUser): ServerSession | Promise<ServerSession>
  /** The link a person opens to join with an invite code, if the app has one. */
  inviteUrl?(code: string): string
  /** Stops refreshing tokens and closes connections. Idempotent. */
  close(): void | Promise<void>
}

/** What a connector factory receives. */
export interface ServerConnectorContext {
  /** The engine's storage: keep the session in its kv (`kvGet`/`kvPut`). */
  storage: StorageAdapter
}
