// The payload of one Realtime broadcast of the Supabase transport: a binary frame carrying one
// or more transport messages of one sender for one conversation (the coalescing window's
// content). `encodeMessageBody` + `encodeSupabaseFrame` and `decodeSupabaseFrame` are the paired
// writer and reader; the layout is specified in docs/TRANSPORT-SUPABASE.md ("Frame"):
//
//   frame   := varUint v · varString from · varUint count · message{count}
//   message := varUint tag · varString to ('' = everyone) · body
//   body    := update:             varUint8Array update · varString device ('' = unsigned)
//                                  · varUint8Array signature ('' = none)
//              awareness:          varUint8Array update
//              sync-request:       varUint8Array stateVector
//              sync-reply:         varUint8Array update · varUint8Array stateVector ('' = none)
//              hello, goodbye:     (nothing)
//
// The conversation id is not in the frame: it is the channel's (`conversation:<id>:<epoch>`). So a
// member of one conversation cannot slip updates for another into its channel.
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import {
  TRANSPORT_PROTOCOL_VERSION,
  TRANSPORT_WIRE_MESSAGE_TYPES,
  validateTransportWireMessage,
  type ConversationId,
  type OutgoingTransportMessage,
  type PeerId,
  type TransportWireMessage,
} from '@parley/core/ports'

/** One message's encoded body (tag, `to`, fields), ready to be packed into a frame. */
export interface EncodedMessageBody {
  type: OutgoingTransportMessage['type']
  to: PeerId | undefined
  bytes: Uint8Array
}

/**
 * Encodes one outgoing message's body. Copies its byte fields (the caller may mutate its arrays
 * after `send`).
 */
export function encodeMessageBody(message: OutgoingTransportMessage): EncodedMessageBody {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, TRANSPORT_WIRE_MESSAGE_TYPES.indexOf(message.type))
  encoding.writeVarString(encoder, message.to ?? '')
  switch (message.type) {
    case 'update':
      encoding.writeVarUint8Array(encoder, message.update)
      // The validator admits a device only with its signature, so both or neither are written.
      encoding.writeVarString(encoder, message.device ?? '')
      encoding.writeVarUint8Array(encoder, message.signature ?? new Uint8Array(0))
      break
    case 'awareness':
      encoding.writeVarUint8Array(encoder, message.update)
      break
    case 'sync-request':
      encoding.writeVarUint8Array(encoder, message.stateVector)
      break
    case 'sync-reply':
      encoding.writeVarUint8Array(encoder, message.update)
      // An empty array stands for "no state vector": a real one is never empty.
      encoding.writeVarUint8Array(encoder, message.stateVector ?? new Uint8Array(0))
      break
  }
  return { type: message.type, to: message.to, bytes: encoding.toUint8Array(encoder) }
}

/** The bytes a frame of `from` adds around its message bodies, at most (count up to 2^28). */
export function frameOverhead(from: PeerId): number {
  return 1 + 5 + new TextEncoder().encode(from).byteLength + 4
}

/** Packs message bodies of `from` into one frame. Paired with {@link decodeSupabaseFrame}. */
export function encodeSupabaseFrame(from: PeerId, bodies: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, TRANSPORT_PROTOCOL_VERSION)
  encoding.writeVarString(encoder, from)
  encoding.writeVarUint(encoder, bodies.length)
  for (const body of bodies) encoding.writeUint8Array(encoder, body)
  return encoding.toUint8Array(encoder)
}

/** The outcome of {@link decodeSupabaseFrame}. */
export type SupabaseFrameResult =
  | { ok: true; from: PeerId; messages: TransportWireMessage[] }
  | {
      ok: false
      code: 'invalid-message' | 'unsupported-version'
      reason: string
      /** The claimed sender, when it could be read. */
      from?: string
    }

/**
 * Decodes and validates an untrusted frame received on the channel of `conversationId`. Never
 * throws. A frame is all or nothing: one invalid message, an empty frame, a sender that differs
 * between messages or trailing bytes make the whole frame invalid. Byte fields of the result are
 * views into `bytes`.
 */
export function decodeSupabaseFrame(
  bytes: Uint8Array,
  conversationId: ConversationId,
): SupabaseFrameResult {
  let from: string | undefined
  try {
    const decoder = decoding.createDecoder(bytes)
    const v = decoding.readVarUint(decoder)
    if (v !== TRANSPORT_PROTOCOL_VERSION) {
      // Only the version means the same in every version; stop before the rest.
      const result = validateTransportWireMessage({ v })
      return result.ok
        ? { ok: false, code: 'invalid-message', reason: 'unreachable' }
        : { ok: false, code: result.code, reason: result.reason }
    }
    from = decoding.readVarString(decoder)
    const count = decoding.readVarUint(decoder)
    if (count === 0) return { ok: false, code: 'invalid-message', reason: 'empty frame', from }
    const messages: TransportWireMessage[] = []
    for (let i = 0; i < count; i++) {
      const type = TRANSPORT_WIRE_MESSAGE_TYPES[decoding.readVarUint(decoder)]
      if (type === undefined)
        return { ok: false, code: 'invalid-message', reason: 'unknown type tag', from }
      const to = decoding.readVarString(decoder)
      const record: Record<string, unknown> = { v, type, from }
      if (to !== '') record.to = to
      switch (type) {
        case 'hello':
        case 'goodbye':
          break
        case 'update': {
          record.conversationId = conversationId
          record.update = decoding.readVarUint8Array(decoder)
          const device = decoding.readVarString(decoder)
          const signature = decoding.readVarUint8Array(decoder)
          if (device !== '') record.device = device
          if (signature.byteLength > 0) record.signature = signature
          break
        }
        case 'awareness':
          record.conversationId = conversationId
          record.update = decoding.readVarUint8Array(decoder)
          break
        case 'sync-request':
          record.conversationId = conversationId
          record.stateVector = decoding.readVarUint8Array(decoder)
          break
        case 'sync-reply': {
          record.conversationId = conversationId
          record.update = decoding.readVarUint8Array(decoder)
          const stateVector = decoding.readVarUint8Array(decoder)
          if (stateVector.byteLength > 0) record.stateVector = stateVector
          break
        }
      }
      const result = validateTransportWireMessage(record)
      if (!result.ok) return { ok: false, code: result.code, reason: result.reason, from }
      messages.push(result.message)
    }
    if (decoding.hasContent(decoder))
      return { ok: false, code: 'invalid-message', reason: 'trailing bytes', from }
    return { ok: true, from: from as PeerId, messages }
  } catch (error) {
    // lib0 throws on truncated input and malformed UTF-8; both mean "not a frame".
    return {
      ok: false,
      code: 'invalid-message',
      reason: `undecodable: ${error instanceof Error ? error.message : String(error)}`,
      ...(from !== undefined && { from }),
    }
  }
}
