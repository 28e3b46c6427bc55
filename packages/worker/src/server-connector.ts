// What the host needs from a server (e.g. Supabase): the live transports and the durable log of
// one signed-in user. It never signs anyone in — the app does, with its own client — and it gets
// the user's access token from the host, which gets it from the tabs.
// `createSupabaseServer` of `@parley/transport-supabase` implements it; an app without a server
// passes `user` to the client instead.
import type { RemoteLog, Transport } from '@parley/core'
import type { AuthUser } from './auth-state.js'

/** A signed-in user (the same shape as {@link AuthUser}). */
export type ServerUser = AuthUser

/** What {@link ServerConnector.open} receives. */
export interface ServerOpenContext {
  /** The user whose engine this is; fixed for the life of the session. */
  readonly user: ServerUser
  /**
   * The newest access token the tabs handed over, or `null` while there is none (restored
   * offline, or expired and not yet refreshed). Read it on every request: it changes.
   */
  readonly accessToken: () => string | null
}

/** The server side of one user's engine. */
export interface ServerSession {
  remote: RemoteLog
  transports: Transport[]
  /**
   * The access token changed (a refresh, or the first one after an offline start): hand it to
   * long-lived connections (Realtime) and retry what failed for the lack of it.
   */
  tokenChanged?(): void
  /** Drops what the engine does not close itself (sockets). Idempotent. */
  close?(): void | Promise<void>
}

/**
 * Connects a user's engine to the server. The host calls `open` when a user's engine starts
 * (the first session a tab hands over, or the remembered user at start), the session's `close`
 * when that user signs out or another signs in, and `close` when the worker stops.
 */
export interface ServerConnector {
  /** The durable log and live transports for `context.user`. */
  open(context: ServerOpenContext): ServerSession | Promise<ServerSession>
  /** The link a person opens to join with an invite code, if the app has one. */
  inviteUrl?(code: string): string
  /** Closes whatever is left. Idempotent. */
  close(): void | Promise<void>
}
