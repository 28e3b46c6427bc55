// The messages a Transport moves, as a `type`-tagged, versioned union. Everything that arrives
// from another tab or device is untrusted: it goes through `validateTransportWireMessage` (objects
// that crossed a structured clone) or `decodeTransportMessage` (bytes) before anyone reads it.
// The wire formats are specified in docs/PROTOCOL.md ("Transport messages").
import { isDeviceId, isValidId, type Brand, type ConversationId, type DeviceId } from '../ids.js'
import { ParleyError } from '../errors.js'

/** Version of the transport message protocol; every message carries it as `v`. */
export const TRANSPORT_PROTOCOL_VERSION = 1

/** Id of one transport endpoint (one engine, or one tab's engine): unique among live peers. */
export type PeerId = Brand<string, 'PeerId'>

/** Whether `value` is a syntactically valid peer id (the id alphabet of `ids.ts`). */
export function isPeerId(value: unknown): value is PeerId {
  return isValidId(value)
}

/** Validates and brands a peer id; throws a `ParleyError` (`invalid-argument`) if invalid. */
export function asPeerId(value: string): PeerId {
  if (!isValidId(value)) {
    throw new ParleyError(
      'invalid-argument',
      `PeerId must be 1-128 of [A-Za-z0-9_-], got ${JSON.stringify(value)}`,
    )
  }
  return value as PeerId
}

/** Fields every message carries. `from` is stamped by the sending transport, never by the engine. */
export interface TransportMessageBase {
  /** Protocol version, {@link TRANSPORT_PROTOCOL_VERSION}. */
  v: typeof TRANSPORT_PROTOCOL_VERSION
  /** The peer that sent the message (claimed by the sender: trusted no more than the medium). */
  from: PeerId
  /** The only peer that should receive it; absent for every peer. */
  to?: PeerId
}

/** A Yjs document update of a conversation (`Y.encodeStateAsUpdate` / an `update` event). */
export interface UpdateMessage extends TransportMessageBase {
  type: 'update'
  conversationId: ConversationId
  /** Yjs update bytes (v1 encoding). */
  update: Uint8Array
  /** The device that made the update (required on a `signed` transport). */
  device?: DeviceId
  /** The device's Ed25519 signature over `signedUpdateBytes(conversationId, update)`. */
  signature?: Uint8Array
}

/** A `y-protocols/awareness` update (presence, typing) of a conversation. */
export interface AwarenessMessage extends TransportMessageBase {
  type: 'awareness'
  conversationId: ConversationId
  /** `encodeAwarenessUpdate` bytes. */
  update: Uint8Array
}

/** "Send me what I am missing": the requester's state vector of the conversation. */
export interface SyncRequestMessage extends TransportMessageBase {
  type: 'sync-request'
  conversationId: ConversationId
  /** `Y.encodeStateVector` bytes of the requester's document. */
  stateVector: Uint8Array
}

/** The answer to a `sync-request`, addressed to the requester. */
export interface SyncReplyMessage extends TransportMessageBase {
  type: 'sync-reply'
  conversationId: ConversationId
  /** `Y.encodeStateAsUpdate(doc, requestStateVector)`: everything the requester lacked. */
  update: Uint8Array
  /**
   * The replier's state vector, so the requester can send back what the replier lacks in the same
   * round trip. Absent when the replier cannot compute it cheaply (e.g. a server log).
   */
  stateVector?: Uint8Array
}

/** Every message an engine sends and receives through a transport. */
export type TransportMessage =
  UpdateMessage | AwarenessMessage | SyncRequestMessage | SyncReplyMessage

/** Announces a peer (broadcast), or answers an announcement (addressed to the announcer). */
export interface HelloMessage extends TransportMessageBase {
  type: 'hello'
}

/** A peer leaves (sent by `close()`); a peer that dies silently sends none. */
export interface GoodbyeMessage extends TransportMessageBase {
  type: 'goodbye'
}

/** Messages a transport exchanges for itself (peer discovery); never given to the engine. */
export type TransportControlMessage = HelloMessage | GoodbyeMessage

/** Everything that crosses the medium. */
export type TransportWireMessage = TransportMessage | TransportControlMessage

/** The `type` tags of {@link TransportMessage}. */
export type TransportMessageType = TransportMessage['type']

/** Every `type` tag of {@link TransportWireMessage}, in their binary tag order (docs/PROTOCOL.md). */
export const TRANSPORT_WIRE_MESSAGE_TYPES = [
  'hello',
  'goodbye',
  'update',
  'awareness',
  'sync-request',
  'sync-reply',
] as const satisfies readonly TransportWireMessage['type'][]

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/**
 * What an engine hands to `Transport.send`: a message without `v` and `from`, which the transport
 * stamps. Set `to` to address one peer.
 */
export type OutgoingTransportMessage = DistributiveOmit<TransportMessage, 'v' | 'from'>

/** The outcome of validating untrusted input. */
export type TransportValidationResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: 'invalid-message' | 'unsupported-version'; reason: string }

function invalid(reason: string): { ok: false; code: 'invalid-message'; reason: string } {
  return { ok: false, code: 'invalid-message', reason }
}

/**
 * Whether `value` is a `Uint8Array`. Falls back to the tag so arrays from another realm (a
 * worker's structured clone in some engines) pass too.
 */
function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]'
  )
}

/**
 * Validates an untrusted value (e.g. the `data` of a `MessageEvent`) as a wire message. Never
 * throws. On success, `message` is a fresh object with only the known fields (unknown extra fields
 * are dropped, so a newer minor addition cannot leak through); byte arrays are not copied.
 */
export function validateTransportWireMessage(
  value: unknown,
): TransportValidationResult<TransportWireMessage> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid('not an object')
  const record = value as Record<string, unknown>
  const { v, type, from, to } = record
  if (v !== TRANSPORT_PROTOCOL_VERSION) {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) {
      return {
        ok: false,
        code: 'unsupported-version',
        reason: `protocol version ${v}, expected ${TRANSPORT_PROTOCOL_VERSION}`,
      }
    }
    return invalid('missing or malformed protocol version `v`')
  }
  if (!isPeerId(from)) return invalid('missing or malformed `from`')
  if (to !== undefined && !isPeerId(to)) return invalid('malformed `to`')
  const base: TransportMessageBase =
    to === undefined
      ? { v: TRANSPORT_PROTOCOL_VERSION, from }
      : { v: TRANSPORT_PROTOCOL_VERSION, from, to }
  switch (type) {
    case 'hello':
      return { ok: true, message: { ...base, type } }
    case 'goodbye':
      return { ok: true, message: { ...base, type } }
    case 'update':
    case 'awareness':
    case 'sync-request':
    case 'sync-reply':
      break
    default:
      return invalid(
        `unknown type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 40) : typeof type)}`,
      )
  }
  const { conversationId } = record
  if (!isValidId(conversationId)) return invalid(`${type}: missing or malformed conversationId`)
  const id = conversationId as ConversationId
  if (type === 'sync-request') {
    const { stateVector } = record
    if (!isBytes(stateVector) || stateVector.byteLength === 0)
      return invalid('sync-request: stateVector must be non-empty bytes')
    return { ok: true, message: { ...base, type, conversationId: id, stateVector } }
  }
  const { update } = record
  if (!isBytes(update) || update.byteLength === 0)
    return invalid(`${type}: update must be non-empty bytes`)
  if (type === 'sync-reply') {
    const { stateVector } = record
    if (stateVector === undefined)
      return { ok: true, message: { ...base, type, conversationId: id, update } }
    if (!isBytes(stateVector) || stateVector.byteLength === 0)
      return invalid('sync-reply: stateVector must be non-empty bytes')
    return { ok: true, message: { ...base, type, conversationId: id, update, stateVector } }
  }
  if (type === 'update') {
    const { device, signature } = record
    if (device === undefined && signature === undefined)
      return { ok: true, message: { ...base, type, conversationId: id, update } }
    if (!isDeviceId(device) || !isBytes(signature) || signature.byteLength !== 64)
      return invalid('update: device and a 64-byte signature go together')
    return { ok: true, message: { ...base, type, conversationId: id, update, device, signature } }
  }
  return { ok: true, message: { ...base, type, conversationId: id, update } }
}

/** Like {@link validateTransportWireMessage}, but control messages (hello, goodbye) are invalid. */
export function validateTransportMessage(
  value: unknown,
): TransportValidationResult<TransportMessage> {
  const result = validateTransportWireMessage(value)
  if (!result.ok) return result
  if (isTransportControlMessage(result.message))
    return invalid(`${result.message.type} is a control message`)
  return { ok: true, message: result.message }
}

/** Whether `value` is a valid {@link TransportWireMessage} (data or control). */
export function isTransportWireMessage(value: unknown): value is TransportWireMessage {
  return validateTransportWireMessage(value).ok
}

/** Whether `value` is a valid {@link TransportMessage} (the data messages an engine handles). */
export function isTransportMessage(value: unknown): value is TransportMessage {
  return validateTransportMessage(value).ok
}

/** Whether a (validated) wire message is a control message. */
export function isTransportControlMessage(
  message: TransportWireMessage,
): message is TransportControlMessage {
  return message.type === 'hello' || message.type === 'goodbye'
}
