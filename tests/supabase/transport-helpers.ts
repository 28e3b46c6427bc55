// Shared plumbing of the @parley/transport-supabase suites: an emulator, users with several
// devices (supabase-js clients whose sockets a test can kill), conversations shared between
// them, and event recorders. Everything goes through the real supabase-js.
import { randomUUID } from 'node:crypto'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { WebSocket } from 'ws'
import type {
  ConversationId,
  PeerId,
  Transport,
  TransportError,
  TransportMessage,
  TransportStatus,
  UserId,
} from '@parley/core/ports'
import {
  startSupabaseEmulator,
  type SupabaseEmulator,
  type SupabaseEmulatorOptions,
} from '@parley/supabase-emulator'

/** How long a test waits for an expected event before failing. */
export const WAIT_MS = 8_000

/** Emulator settings that keep the suites fast: join errors and refused upgrades answer quickly. */
export const FAST_REALTIME: SupabaseEmulatorOptions['realtime'] = {
  joinErrorDelayMs: 20,
  connectErrorDelayMs: 20,
}

/** Starts an emulator on a free port (PGlite in memory unless `database` says otherwise). */
export function startEmulator(options: SupabaseEmulatorOptions = {}): Promise<SupabaseEmulator> {
  return startSupabaseEmulator({
    port: 0,
    database: 'memory',
    seed: false,
    ...options,
    realtime: { ...FAST_REALTIME, ...options.realtime },
  })
}

/** Where clients connect: a URL that stays the same across emulator restarts on one port. */
export interface Endpoint {
  url: string
  anonKey: string
}

/** One signed-in supabase-js client (a device) and its sockets. */
export interface Device {
  client: SupabaseClient
  userId: UserId
  sockets: WebSocket[]
  /** Kills every socket of this device abruptly (no close frame): a network drop. */
  dropSockets(): void
  close(): Promise<void>
}

/** A user's credentials: every {@link signIn} with them is a new device of the same user. */
export interface Credentials {
  email: string
  password: string
}

/** A fresh user (email + password, so a test can sign in on several devices). */
export async function newUser(endpoint: Endpoint): Promise<Credentials> {
  const credentials = { email: `u-${randomUUID()}@parley.test`, password: `pw-${randomUUID()}` }
  const client = bareClient(endpoint)
  const { error } = await client.auth.signUp(credentials)
  if (error) throw new Error(`sign-up failed: ${error.message}`)
  return credentials
}

function bareClient(endpoint: Endpoint, sockets: WebSocket[] = []): SupabaseClient {
  class TrackedWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      sockets.push(this)
    }
  }
  return createClient(endpoint.url, endpoint.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: TrackedWebSocket as never },
  })
}

/** A new device of the user with `credentials`. */
export async function signIn(endpoint: Endpoint, credentials: Credentials): Promise<Device> {
  const sockets: WebSocket[] = []
  const client = bareClient(endpoint, sockets)
  const { data, error } = await client.auth.signInWithPassword(credentials)
  if (error || !data.user) throw new Error(`sign-in failed: ${error?.message}`)
  return {
    client,
    userId: data.user.id as UserId,
    sockets,
    dropSockets() {
      for (const socket of sockets) socket.terminate()
    },
    async close() {
      await client.removeAllChannels()
      await client.realtime.disconnect()
      for (const socket of sockets) socket.terminate()
    },
  }
}

/** A new user signed in on one device. */
export async function newDevice(endpoint: Endpoint): Promise<Device> {
  return signIn(endpoint, await newUser(endpoint))
}

/** Creates a conversation owned by `owner` and makes every other device's user a member. */
export async function shareConversation(owner: Device, others: Device[]): Promise<ConversationId> {
  const id = randomUUID() as ConversationId
  const created = await owner.client.rpc('create_conversation', { p_id: id, p_title: 'test' })
  if (created.error) throw new Error(`create_conversation: ${created.error.message}`)
  const invite = await owner.client.rpc('create_invite', { p_conversation_id: id })
  if (invite.error) throw new Error(`create_invite: ${invite.error.message}`)
  const code = (invite.data as { code: string }).code
  for (const device of others) {
    if (device.userId === owner.userId) continue
    const joined = await device.client.rpc('join_conversation', { p_code: code })
    if (joined.error) throw new Error(`join_conversation: ${joined.error.message}`)
  }
  return id
}

/** Makes `device`'s user a member of `owner`'s conversation `id`. */
export async function addMember(owner: Device, id: ConversationId, device: Device): Promise<void> {
  const invite = await owner.client.rpc('create_invite', { p_conversation_id: id })
  if (invite.error) throw new Error(`create_invite: ${invite.error.message}`)
  const joined = await device.client.rpc('join_conversation', {
    p_code: (invite.data as { code: string }).code,
  })
  if (joined.error) throw new Error(`join_conversation: ${joined.error.message}`)
}

/**
 * The conversation's current live topic (`conversation_topic`, `conversation:<id>:<epoch>`): the
 * channel its transports join, and the only one Realtime admits members to.
 */
export async function liveTopic(device: Device, id: ConversationId): Promise<string> {
  const { data, error } = await device.client.rpc('conversation_topic', { p_conversation_id: id })
  if (error || typeof data !== 'string') throw new Error(`conversation_topic: ${error?.message}`)
  return data
}

/** Waits until `predicate` holds, checking every few ms; fails after {@link WAIT_MS}. */
export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Everything a transport emitted. */
export interface Recorder {
  messages: TransportMessage[]
  joined: { peer: PeerId; conversationId?: ConversationId }[]
  left: { peer: PeerId; conversationId?: ConversationId }[]
  statuses: TransportStatus[]
  errors: TransportError[]
}

/** Records a transport's events. */
export function record(transport: Transport): Recorder {
  const r: Recorder = { messages: [], joined: [], left: [], statuses: [], errors: [] }
  transport.on('message', ({ message }) => r.messages.push(message))
  transport.on('peer-joined', (e) => r.joined.push(e))
  transport.on('peer-left', (e) => r.left.push(e))
  transport.on('status', ({ status }) => r.statuses.push(status))
  transport.on('error', ({ error }) => r.errors.push(error))
  return r
}

/** The first payload byte of a message: tests tell messages apart by it. */
export const firstByte = (m: TransportMessage): number =>
  (m.type === 'sync-request' ? m.stateVector[0] : m.update[0]) ?? -1

export const bytes = (...values: number[]) => new Uint8Array(values)
