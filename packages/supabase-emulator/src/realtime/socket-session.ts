// One Realtime WebSocket: decodes frames, answers heartbeats, routes each topic's frames through
// its own queue to the joined channel, and closes idle or misbehaving connections the way
// Phoenix does (SUPABASE-PROTOCOL.md §1.3, §1.4).
import { WebSocket, type RawData } from 'ws'
import { parseJoinConfig } from './join-config.js'
import { joinChannel, reply, type ChannelHost, type RealtimeChannel } from './realtime-channel.js'
import type { RealtimeContext } from './realtime-context.js'
import {
  isFrameDecodeError,
  type EncodedFrame,
  type InboundFrame,
  type OutboundFrame,
  type RealtimeSerializer,
} from './realtime-message.js'

/** Close code of a crashed Phoenix socket process (Cowboy reports a handler crash as 1011). */
export const CLOSE_INTERNAL_ERROR = 1011
/** Close code for an idle socket (Cowboy's idle timeout closes normally). */
export const CLOSE_IDLE = 1000
/** Close code when the server shuts down; clients reconnect. */
export const CLOSE_GOING_AWAY = 1001

/** The server side of one client connection. */
export class SocketSession implements ChannelHost {
  readonly id: number
  readonly #abort = new AbortController()
  readonly #channels = new Map<string, RealtimeChannel>()
  readonly #queues = new Map<string, Promise<void>>()
  readonly #idle: NodeJS.Timeout

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly ws: WebSocket,
    readonly serializer: RealtimeSerializer,
    readonly connectToken: string,
    private readonly onClosed: (session: SocketSession) => void,
  ) {
    this.id = ctx.nextId()
    this.#idle = setTimeout(() => this.close(CLOSE_IDLE), ctx.limits.idleTimeoutMs)
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary))
    ws.on('ping', () => this.#idle.refresh())
    ws.on('close', () => this.#teardown())
    ws.on('error', (error) => {
      // ws reports protocol violations (e.g. oversize frames, closed with 1009) here first.
      this.ctx.logger.debug('realtime: socket error', { error, socket: this.id })
    })
  }

  get signal(): AbortSignal {
    return this.#abort.signal
  }

  get channelCount(): number {
    return this.#channels.size
  }

  send(frame: OutboundFrame): void {
    const bytes = this.serializer.encode(frame)
    if (bytes !== null) this.sendEncoded(bytes)
  }

  sendEncoded(bytes: Exclude<EncodedFrame, null>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes)
  }

  detach(channel: RealtimeChannel): void {
    if (this.#channels.get(channel.topic) === channel) this.#channels.delete(channel.topic)
  }

  /** Closes the connection; channels end without `phx_close` (the client sees a socket close). */
  close(code: number, reason?: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason)
    }
    this.#teardown()
  }

  /** Closes at once without a close handshake (server shutdown must not wait for clients). */
  terminate(): void {
    this.ws.terminate()
    this.#teardown()
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#idle.refresh()
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data)
    let frame: InboundFrame
    try {
      frame = this.serializer.decode(buffer, isBinary)
    } catch (error) {
      if (!isFrameDecodeError(error)) throw error
      // Phoenix's socket process crashes on an undecodable frame, dropping only this client.
      this.ctx.logger.warn('realtime: undecodable frame, closing socket', {
        socket: this.id,
        reason: error.message,
      })
      this.close(CLOSE_INTERNAL_ERROR)
      return
    }
    if (frame.type === 'push' && frame.topic === 'phoenix' && frame.event === 'heartbeat') {
      this.send(reply(frame, 'ok', {}))
      return
    }
    this.#enqueue(frame.topic, () => this.#route(frame))
  }

  /** Runs tasks for one topic strictly in arrival order; different topics run independently. */
  #enqueue(topic: string, task: () => Promise<void>): void {
    const previous = this.#queues.get(topic) ?? Promise.resolve()
    const next = previous.then(task).catch((error: unknown) => {
      this.ctx.logger.error('realtime: channel task failed', { error, topic, socket: this.id })
    })
    this.#queues.set(topic, next)
    void next.then(() => {
      if (this.#queues.get(topic) === next) this.#queues.delete(topic)
    })
  }

  async #route(frame: InboundFrame): Promise<void> {
    if (this.signal.aborted) return
    if (frame.type === 'push' && frame.event === 'phx_join') {
      if (!frame.topic.startsWith('realtime:')) {
        this.send(reply(frame, 'error', { reason: 'unmatched topic' }))
        return
      }
      // A second join replaces the first: phx_close with the old join_ref, then the new join.
      this.#channels.get(frame.topic)?.close()
      const channel = await joinChannel(this.ctx, this, frame, parseJoinConfig(frame.payload))
      if (channel === null) return
      if (this.signal.aborted) channel.close(false)
      else this.#channels.set(frame.topic, channel)
      return
    }
    const channel = this.#channels.get(frame.topic)
    if (channel !== undefined) return channel.handle(frame)
    if (frame.type === 'push' && frame.event === 'phx_leave') {
      this.send(reply(frame, 'ok', {}))
    } else {
      this.send(reply(frame, 'error', { reason: 'unmatched topic' }))
    }
  }

  #teardown(): void {
    if (this.#abort.signal.aborted) return
    this.#abort.abort()
    clearTimeout(this.#idle)
    for (const channel of [...this.#channels.values()]) channel.close(false)
    this.#channels.clear()
    this.onClosed(this)
  }
}
