// One joined channel on one socket: its token, cached policies, broadcast and presence handling,
// token refresh and expiry (SUPABASE-PROTOCOL.md §1.6–§1.10). Frames reach it in order through
// the socket's per-topic queue, so an awaited policy check never reorders a client's messages.
import type { RequestAuth } from '../db/database.js'
import type { JwtClaims } from '../auth/jwt.js'
import { roomKey, type RoomKey, type RoomSubscriber } from './channel-registry.js'
import { withBindingIds, type JoinConfig } from './join-config.js'
import { generatePresenceKey } from './presence-tracker.js'
import { JOIN_REASON, SYSTEM_MESSAGE } from './realtime-errors.js'
import { delay, type RealtimeContext } from './realtime-context.js'
import {
  isJsonObject,
  jsonPayload,
  type BroadcastPayload,
  type EncodedFrame,
  type InboundFrame,
  type OutboundFrame,
  type PushFrame,
  type RealtimeSerializer,
} from './realtime-message.js'
import { checkRealtimeToken, isOpaqueApiKey, toRequestAuth } from './realtime-token.js'

/** What a channel needs from the socket that carries it. */
export interface ChannelHost {
  readonly serializer: RealtimeSerializer
  /** The verified connect-time token, used when a join carries none. */
  readonly connectToken: string
  /** Aborted when the socket closes. */
  readonly signal: AbortSignal
  readonly channelCount: number
  send(frame: OutboundFrame): void
  sendEncoded(bytes: Exclude<EncodedFrame, null>): void
  /** Forgets a channel that ended. */
  detach(channel: RealtimeChannel): void
}

interface Policies {
  broadcastRead?: boolean
  presenceRead?: boolean
  broadcastWrite?: boolean
  presenceWrite?: boolean
}

/** Tokens are re-checked at least this often, as Realtime caps its confirm-token timer. */
const MAX_TOKEN_CHECK_MS = 60 * 60 * 1000

/** Builds a `phx_reply` to a push. */
export function reply(
  frame: InboundFrame,
  status: 'ok' | 'error',
  response: unknown,
): OutboundFrame {
  return {
    type: 'message',
    joinRef: frame.joinRef,
    ref: frame.ref,
    topic: frame.topic,
    event: 'phx_reply',
    payload: { status, response },
  }
}

/** A joined `realtime:<sub>` channel. Created by {@link joinChannel}. */
export class RealtimeChannel implements RoomSubscriber {
  readonly id: number
  readonly subTopic: string
  readonly room: RoomKey
  #token: string
  #auth: RequestAuth | null
  #policies: Policies = {}
  #presenceEnabled: boolean
  #presenceKey: string
  #presenceCalls = { count: 0, resetAt: 0 }
  #expiryTimer: NodeJS.Timeout | undefined
  #closed = false

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly host: ChannelHost,
    readonly topic: string,
    readonly joinRef: string | null,
    readonly config: JoinConfig,
    token: string,
    claims: JwtClaims,
  ) {
    this.id = ctx.nextId()
    this.subTopic = topic.slice('realtime:'.length)
    this.room = roomKey(config.private, this.subTopic)
    this.#token = token
    this.#auth = toRequestAuth(claims)
    this.#presenceEnabled = config.presenceEnabled
    this.#presenceKey = config.presenceKey === '' ? generatePresenceKey() : config.presenceKey
  }

  get serializer(): RealtimeSerializer {
    return this.host.serializer
  }

  get canReadBroadcast(): boolean {
    return !this.config.private || this.#policies.broadcastRead === true
  }

  get canReadPresence(): boolean {
    // Public channels get diffs even without presence enabled (the client buffers them).
    return !this.config.private || (this.#presenceEnabled && this.#policies.presenceRead === true)
  }

  get closed(): boolean {
    return this.#closed
  }

  deliver(bytes: Exclude<EncodedFrame, null>): void {
    this.host.sendEncoded(bytes)
  }

  /** Evaluates read policies (private channels); true when the client may join. */
  async authorizeJoin(): Promise<boolean> {
    if (!this.config.private) return true
    this.#policies = {}
    this.#policies.broadcastRead = await this.#authorize('broadcast', false)
    if (this.#presenceEnabled)
      this.#policies.presenceRead = await this.#authorize('presence', false)
    return this.#policies.broadcastRead || this.#policies.presenceRead === true
  }

  /** Registers the channel in its room and answers the join (reply, then `presence_state`). */
  start(join: PushFrame): void {
    this.ctx.registry.add(this.room, this)
    const postgres_changes = withBindingIds(this.config.postgresChanges)
    this.host.send(reply(join, 'ok', { postgres_changes }))
    if (this.#presenceEnabled) this.#sendPresenceState()
    this.#scheduleTokenCheck(this.#expiry())
  }

  /** Handles one frame addressed to this channel's topic. */
  async handle(frame: InboundFrame): Promise<void> {
    if (this.#closed) return
    if (frame.type === 'user-broadcast-push') {
      return this.#broadcast(frame, frame.userEvent, frame.payload, 'binary')
    }
    switch (frame.event) {
      case 'broadcast':
        return this.#textBroadcast(frame)
      case 'presence':
        return this.#presence(frame)
      case 'access_token':
        return this.#refreshToken(frame)
      case 'phx_leave':
        this.host.send(reply(frame, 'ok', {}))
        this.close()
        return
      default:
        // Realtime logs unexpected events and sends nothing back.
        this.ctx.logger.debug('realtime: unexpected channel event', { event: frame.event })
    }
  }

  /**
   * Ends the channel: `phx_close` to the client (unless the socket is gone), presence leaves to
   * the room. Idempotent.
   */
  close(notifyClient = true): void {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#expiryTimer)
    this.ctx.registry.remove(this.room, this)
    this.host.detach(this)
    if (notifyClient) {
      this.host.send({
        type: 'message',
        joinRef: this.joinRef,
        ref: this.joinRef,
        topic: this.topic,
        event: 'phx_close',
        payload: {},
      })
    }
    const diff = this.ctx.presence.untrack(this.room, this.id)
    if (diff !== null) this.ctx.router.presenceDiff(this.room, this.topic, diff)
  }

  /** Sends a `system` error and closes the channel, as Realtime's shutdown response. */
  shutdown(message: string): void {
    if (this.#closed) return
    this.host.send({
      type: 'message',
      joinRef: this.joinRef,
      ref: null,
      topic: this.topic,
      event: 'system',
      payload: { extension: 'system', status: 'error', message, channel: this.subTopic },
    })
    this.close()
  }

  async #textBroadcast(frame: PushFrame): Promise<void> {
    const body = frame.payload
    if (!isJsonObject(body) || typeof body.event !== 'string') {
      if (this.config.ack) this.host.send(reply(frame, 'error', {}))
      return
    }
    await this.#broadcast(frame, body.event, jsonPayload(body.payload), 'text')
  }

  async #broadcast(
    frame: InboundFrame,
    event: string,
    payload: BroadcastPayload,
    wire: 'binary' | 'text',
  ): Promise<void> {
    const size =
      payload.encoding === 'json' ? Buffer.byteLength(payload.json) : payload.bytes.length
    if (size > this.ctx.limits.maxPayloadBytes) {
      // Realtime replies with the bare atom; without ack the message just vanishes.
      if (this.config.ack) this.host.send(reply(frame, 'error', 'payload_size_exceeded'))
      return
    }
    if (this.config.private) {
      this.#policies.broadcastWrite ??= await this.#authorize('broadcast', true)
      // A denied private write is dropped silently, even with ack (§1.7, pitfall 3).
      if (!this.#policies.broadcastWrite || this.#closed) return
    }
    this.ctx.router.broadcast(
      this.room,
      { type: 'user-broadcast', wire, topic: this.topic, userEvent: event, meta: null, payload },
      this.config.self ? undefined : this,
    )
    if (this.config.ack) this.host.send(reply(frame, 'ok', {}))
  }

  async #presence(frame: PushFrame): Promise<void> {
    const body = isJsonObject(frame.payload) ? frame.payload : {}
    const now = this.ctx.now()
    const calls = this.#presenceCalls
    if (now >= calls.resetAt) {
      calls.count = 0
      calls.resetAt = now + this.ctx.limits.presenceWindowMs
    }
    calls.count += 1
    if (calls.count > this.ctx.limits.presenceMaxCalls) {
      return this.shutdown(SYSTEM_MESSAGE.presenceRateLimit)
    }
    if (body.event === 'track' && !isJsonObject(body.payload)) {
      this.host.send(reply(frame, 'error', { reason: 'Presence track payload must be a map' }))
      return
    }
    if ((body.event !== 'track' && body.event !== 'untrack') || !isJsonObject(body.payload ?? {})) {
      this.host.send(reply(frame, 'error', {}))
      return
    }
    if (
      body.event === 'track' &&
      Buffer.byteLength(JSON.stringify(body.payload)) > this.ctx.limits.maxPayloadBytes
    ) {
      return this.shutdown(SYSTEM_MESSAGE.trackTooLarge)
    }
    if (this.config.private) {
      this.#policies.presenceWrite ??= await this.#authorize('presence', true)
      if (!this.#policies.presenceWrite) {
        this.host.send(reply(frame, 'error', {}))
        return
      }
    }
    if (this.#closed) return
    const wasEnabled = this.#presenceEnabled
    if (!wasEnabled && body.event === 'track') {
      // A track turns presence on; this client never got presence_state, so it gets one now.
      this.#presenceEnabled = true
      if (this.config.private)
        this.#policies.presenceRead ??= await this.#authorize('presence', false)
      if (this.#closed) return
    }
    const diff =
      body.event === 'track'
        ? this.ctx.presence.track(
            this.room,
            this.id,
            this.#presenceKey,
            body.payload as Record<string, unknown>,
          )
        : this.ctx.presence.untrack(this.room, this.id)
    this.host.send(reply(frame, 'ok', {}))
    if (!wasEnabled && this.#presenceEnabled) this.#sendPresenceState()
    if (diff !== null) this.ctx.router.presenceDiff(this.room, this.topic, diff)
  }

  async #refreshToken(frame: PushFrame): Promise<void> {
    const token = isJsonObject(frame.payload) ? frame.payload.access_token : undefined
    // No reply on success; null, unchanged and `sb_` tokens are ignored (§1.10).
    if (typeof token !== 'string' || token === this.#token || isOpaqueApiKey(token)) return
    const check = checkRealtimeToken(token, this.ctx.jwtSecret, this.ctx.now())
    if (!check.ok) return this.shutdown(check.message)
    const previous = this.#policies
    this.#token = token
    this.#auth = toRequestAuth(check.claims)
    if (this.config.private) {
      let allowed: boolean
      try {
        allowed = await this.authorizeJoin()
      } catch (error) {
        this.ctx.logger.error('realtime: policy check failed', { error })
        return this.shutdown(SYSTEM_MESSAGE.databaseUnavailable)
      }
      if (this.#closed) return
      const revoked =
        (previous.broadcastRead === true && this.#policies.broadcastRead === false) ||
        (previous.presenceRead === true && this.#policies.presenceRead === false)
      if (revoked || !allowed) return this.shutdown(SYSTEM_MESSAGE.readRevoked(this.subTopic))
    }
    this.#scheduleTokenCheck(check.claims.exp)
  }

  async #authorize(extension: 'broadcast' | 'presence', write: boolean): Promise<boolean> {
    // A role PostgREST would not switch to (e.g. a custom claim) can pass no policy.
    if (this.#auth === null) return false
    if (this.#auth.role === 'service_role') return true
    return this.ctx.authorize({ auth: this.#auth, topic: this.subTopic, extension, write })
  }

  #sendPresenceState(): void {
    this.host.send({
      type: 'message',
      joinRef: this.joinRef,
      ref: null,
      topic: this.topic,
      event: 'presence_state',
      payload: this.ctx.presence.state(this.room),
    })
  }

  #expiry(): number {
    const check = checkRealtimeToken(this.#token, this.ctx.jwtSecret, this.ctx.now())
    return check.ok ? check.claims.exp : 0
  }

  /** Re-checks the token at its expiry; an expired token ends the channel (§1.10 watchdog). */
  #scheduleTokenCheck(exp: number): void {
    clearTimeout(this.#expiryTimer)
    const wait = Math.min(MAX_TOKEN_CHECK_MS, Math.max(0, exp * 1000 - this.ctx.now()))
    this.#expiryTimer = setTimeout(() => {
      const check = checkRealtimeToken(this.#token, this.ctx.jwtSecret, this.ctx.now())
      if (check.ok) this.#scheduleTokenCheck(check.claims.exp)
      else this.shutdown(check.message)
    }, wait)
    // The watchdog alone must not keep a process alive.
    this.#expiryTimer.unref()
  }
}

/**
 * Processes a `phx_join` for `realtime:<sub>`. Sends the ok reply (and presence state) and
 * returns the channel, or sends the error reply after Realtime's join-error delay and returns
 * null.
 */
export async function joinChannel(
  ctx: RealtimeContext,
  host: ChannelHost,
  frame: PushFrame,
  config: JoinConfig,
): Promise<RealtimeChannel | null> {
  const fail = async (reason: string): Promise<null> => {
    await delay(ctx.limits.joinErrorDelayMs, host.signal)
    host.send(reply(frame, 'error', { reason }))
    return null
  }
  if (frame.topic === 'realtime:') return fail(JOIN_REASON.topicRequired)
  if (host.channelCount >= ctx.limits.maxChannelsPerSocket) return fail(JOIN_REASON.tooManyChannels)
  const token = config.accessToken ?? host.connectToken
  const check = checkRealtimeToken(token, ctx.jwtSecret, ctx.now())
  if (!check.ok) return fail(`${check.code}: ${check.message}`)
  const joinRef = frame.joinRef ?? frame.ref
  const channel = new RealtimeChannel(ctx, host, frame.topic, joinRef, config, token, check.claims)
  let allowed: boolean
  try {
    allowed = await channel.authorizeJoin()
  } catch (error) {
    ctx.logger.error('realtime: policy check failed', { error, topic: frame.topic })
    return fail(SYSTEM_MESSAGE.databaseUnavailable)
  }
  if (!allowed) return fail(JOIN_REASON.unauthorized(channel.subTopic))
  if (host.signal.aborted) return null
  channel.start(frame)
  return channel
}
