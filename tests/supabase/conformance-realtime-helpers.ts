// Shared plumbing of the Realtime conformance suites: supabase-js clients on a chosen protocol
// version, subscription promises, event inboxes and conversations shared between users. Every
// call goes through the real supabase-js, so the suites also run against a real project.
import { randomUUID } from 'node:crypto'
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import { WebSocket } from 'ws'
import type { SupabaseTarget } from './target.js'

/** The protocol versions rt-js 2.119 can speak. */
export type Vsn = '1.0.0' | '2.0.0'

/** How long any single awaited event may take before the test fails with a clear message. */
export const EVENT_TIMEOUT_MS = 8_000

/** One supabase-js client plus the WebSockets it opened (so a test can drop them). */
export interface TestClient {
  supabase: SupabaseClient
  /** The signed-in user's id, or null for an anon-key client. */
  userId: string | null
  /** The session's access token (the anon key for anon clients). */
  accessToken: string
  sockets: WebSocket[]
  close(): Promise<void>
}

/** A supabase-js client speaking `vsn`; not signed in. */
export function anonClient(target: Pick<SupabaseTarget, 'url' | 'anonKey'>, vsn: Vsn): TestClient {
  const sockets: WebSocket[] = []
  // A `ws` subclass that remembers its instances, so tests can kill a client's socket abruptly.
  class TrackedWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      sockets.push(this)
    }
  }
  const supabase = createClient(target.url, target.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: TrackedWebSocket as never, vsn },
  })
  return {
    supabase,
    userId: null,
    accessToken: target.anonKey,
    sockets,
    async close() {
      await supabase.removeAllChannels()
      await supabase.realtime.disconnect()
      for (const socket of sockets) socket.terminate()
    },
  }
}

/** A client signed in anonymously, whose Realtime already holds the session token. */
export async function signedInClient(
  target: Pick<SupabaseTarget, 'url' | 'anonKey'>,
  vsn: Vsn = '2.0.0',
): Promise<TestClient> {
  const client = anonClient(target, vsn)
  const { data, error } = await client.supabase.auth.signInAnonymously()
  if (error || !data.session || !data.user) throw new Error(`sign-in failed: ${error?.message}`)
  // supabase-js hands the token to Realtime from an auth event; do it now so joins carry it.
  await client.supabase.realtime.setAuth(data.session.access_token)
  return { ...client, userId: data.user.id, accessToken: data.session.access_token }
}

/**
 * A client whose every token comes from `token()` (supabase-js's `accessToken` option). Realtime
 * re-reads it on join, heartbeat and `realtime.setAuth()`, so a test controls exactly which
 * token the server sees — a signed-in client would swap in its session token behind our back.
 */
export function tokenClient(
  target: Pick<SupabaseTarget, 'url' | 'anonKey'>,
  token: () => string,
  vsn: Vsn = '2.0.0',
): TestClient {
  const sockets: WebSocket[] = []
  const supabase = createClient(target.url, target.anonKey, {
    accessToken: async () => token(),
    realtime: { transport: WebSocket as never, vsn },
  })
  return {
    supabase,
    userId: null,
    accessToken: token(),
    sockets,
    async close() {
      await supabase.removeAllChannels()
      await supabase.realtime.disconnect()
    },
  }
}

/** Resolves when the channel is SUBSCRIBED; rejects on the first error, timeout or close. */
export function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve()
      else reject(new Error(`${channel.topic}: ${status}${error ? ` ${error.message}` : ''}`))
    })
  })
}

/** Subscribes expecting refusal; resolves with the join error's message and stops retrying. */
export function joinError(channel: RealtimeChannel): Promise<string> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') reject(new Error(`${channel.topic} was joined`))
      if (status === 'CHANNEL_ERROR') {
        // The client would rejoin forever (1, 2, 5, 10 s); stop it after the first answer.
        void channel.unsubscribe()
        resolve(error?.message ?? '')
      }
    })
  })
}

/** Records events and lets a test wait for one that matches. */
export class Inbox<T> {
  readonly items: T[] = []
  #waiters: (() => void)[] = []

  /** A callback to hand to `channel.on(...)`. */
  readonly push = (item: T): void => {
    this.items.push(item)
    for (const wake of this.#waiters.splice(0)) wake()
  }

  /** The first recorded item matching `match`, waiting up to {@link EVENT_TIMEOUT_MS}. */
  async waitFor(match: (item: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + EVENT_TIMEOUT_MS
    for (;;) {
      const found = this.items.find(match)
      if (found !== undefined) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${describe(this.items)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
}

/** Broadcast callback argument as rt-js delivers it. */
export interface BroadcastMessage {
  type: 'broadcast'
  event: string
  payload: unknown
  meta?: Record<string, unknown>
}

/** Creates a conversation owned by `owner` and brings `members` in through an invite. */
export async function sharedConversation(
  owner: TestClient,
  ...members: TestClient[]
): Promise<string> {
  const id = randomUUID()
  const created = await owner.supabase.rpc('create_conversation', { p_id: id, p_title: 'rt' })
  if (created.error) throw new Error(`create_conversation: ${created.error.message}`)
  const invite = await owner.supabase.rpc('create_invite', { p_conversation_id: id })
  if (invite.error) throw new Error(`create_invite: ${invite.error.message}`)
  const code = (invite.data as { code: string }).code
  for (const member of members) {
    const joined = await member.supabase.rpc('join_conversation', { p_code: code })
    if (joined.error) throw new Error(`join_conversation: ${joined.error.message}`)
  }
  return id
}

function describe(items: unknown[]): string {
  const text = JSON.stringify(items, (_key, value: unknown) =>
    value instanceof ArrayBuffer ? `ArrayBuffer(${value.byteLength})` : value,
  )
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}
