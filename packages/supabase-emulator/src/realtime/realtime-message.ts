// The frames that cross the Realtime WebSocket, independent of serializer version. Inbound frames
// are validated by the serializers before anything else sees them (STYLE rule 4).

/** Protocol versions a client may ask for with `?vsn=` (§1.2). */
export type RealtimeVsn = '1.0.0' | '2.0.0'

/** A Phoenix push from the client: `phx_join`, `heartbeat`, `broadcast` (text), `presence`… */
export interface PushFrame {
  type: 'push'
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}

/** A vsn 2.0.0 binary user broadcast (kind 3, §1.2.1). */
export interface UserBroadcastPushFrame {
  type: 'user-broadcast-push'
  joinRef: string | null
  ref: string | null
  topic: string
  userEvent: string
  /** Metadata JSON text (empty when absent); Realtime ignores it. */
  metadata: string
  payload: BroadcastPayload
}

/** A frame received from a client, after validation. */
export type InboundFrame = PushFrame | UserBroadcastPushFrame

/**
 * A user broadcast's payload. JSON payloads keep their exact text so the emulator forwards the
 * bytes it received instead of re-encoding them for every subscriber.
 */
export type BroadcastPayload =
  { encoding: 'json'; json: string } | { encoding: 'binary'; bytes: Uint8Array }

/** A Phoenix message to the client (replies, presence, system, text broadcasts…). */
export interface MessageFrame {
  type: 'message'
  joinRef: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}

/**
 * A user broadcast on its way to subscribers. `wire: 'binary'` becomes a kind-4 frame on vsn 2
 * sockets; `wire: 'text'` a `broadcast` text message (how Realtime forwards JSON pushes and
 * batch REST sends, §1.7).
 */
export interface UserBroadcastFrame {
  type: 'user-broadcast'
  wire: 'binary' | 'text'
  topic: string
  userEvent: string
  meta: Record<string, unknown> | null
  payload: BroadcastPayload
}

/** A frame sent to a client. */
export type OutboundFrame = MessageFrame | UserBroadcastFrame

/** Encoded bytes or text for `ws.send`; `null` means this socket cannot receive the frame. */
export type EncodedFrame = string | Buffer | null

/** One protocol version's codec. `decode` throws {@link FrameDecodeError} on garbage. */
export interface RealtimeSerializer {
  readonly vsn: RealtimeVsn
  decode(data: Buffer, isBinary: boolean): InboundFrame
  encode(frame: OutboundFrame): EncodedFrame
}

/** A frame that is not valid for the socket's protocol version. */
export class FrameDecodeError extends Error {
  override readonly name = 'FrameDecodeError'
}

/** Type guard for {@link FrameDecodeError}. */
export function isFrameDecodeError(error: unknown): error is FrameDecodeError {
  return error instanceof FrameDecodeError
}

/** True for plain JSON objects (what Elixir would decode to a map). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Refs are decimal strings on the wire, but Phoenix accepts any JSON scalar; keep strings. */
export function readRef(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  throw new FrameDecodeError(`${field} must be a string or null`)
}

/** Parses the JSON text of a broadcast payload once, so broken JSON never reaches subscribers. */
export function parseBroadcastJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new FrameDecodeError('broadcast payload is not JSON', { cause: error })
  }
}

/** The JSON value of a broadcast payload (binary payloads have none). */
export function broadcastJsonValue(payload: BroadcastPayload): unknown {
  return payload.encoding === 'json' ? (JSON.parse(payload.json) as unknown) : undefined
}

/** Builds a JSON-text payload from a value. */
export function jsonPayload(value: unknown): BroadcastPayload {
  return { encoding: 'json', json: JSON.stringify(value ?? {}) }
}
