// The binary form of transport messages, for media that carry bytes (the simulated network,
// Supabase Realtime binary broadcasts). `encodeTransportMessage` and `decodeTransportMessage` are
// a symmetric pair; the layout is specified in docs/PROTOCOL.md ("Binary form").
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import {
  TRANSPORT_PROTOCOL_VERSION,
  TRANSPORT_WIRE_MESSAGE_TYPES,
  validateTransportWireMessage,
  type TransportValidationResult,
  type TransportWireMessage,
} from './transport-messages.js'

/**
 * Encodes a wire message: `varUint v`, `varUint tag`, `varString from`, `varString to` (empty for
 * everyone), then the fields of its type. Does not validate; encode only messages you built.
 */
export function encodeTransportMessage(message: TransportWireMessage): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, message.v)
  encoding.writeVarUint(encoder, TRANSPORT_WIRE_MESSAGE_TYPES.indexOf(message.type))
  encoding.writeVarString(encoder, message.from)
  encoding.writeVarString(encoder, message.to ?? '')
  switch (message.type) {
    case 'hello':
    case 'goodbye':
      break
    case 'update':
      encoding.writeVarString(encoder, message.conversationId)
      encoding.writeVarUint8Array(encoder, message.update)
      // Unsigned: an empty device id and an empty signature.
      encoding.writeVarString(encoder, message.device ?? '')
      encoding.writeVarUint8Array(encoder, message.signature ?? new Uint8Array(0))
      break
    case 'awareness':
      encoding.writeVarString(encoder, message.conversationId)
      encoding.writeVarUint8Array(encoder, message.update)
      break
    case 'sync-request':
      encoding.writeVarString(encoder, message.conversationId)
      encoding.writeVarUint8Array(encoder, message.stateVector)
      break
    case 'sync-reply':
      encoding.writeVarString(encoder, message.conversationId)
      encoding.writeVarUint8Array(encoder, message.update)
      // An empty array stands for "no state vector": a real one is never empty.
      encoding.writeVarUint8Array(encoder, message.stateVector ?? new Uint8Array(0))
      break
  }
  return encoding.toUint8Array(encoder)
}

/**
 * Decodes and validates untrusted bytes. Never throws: truncated input, an unknown tag, trailing
 * bytes or invalid fields give `{ ok: false }`. Byte fields of the result are views into `bytes`.
 */
export function decodeTransportMessage(
  bytes: Uint8Array,
): TransportValidationResult<TransportWireMessage> {
  try {
    const decoder = decoding.createDecoder(bytes)
    const v = decoding.readVarUint(decoder)
    if (v !== TRANSPORT_PROTOCOL_VERSION) {
      // Only the version is known to mean the same in every version; stop before the rest.
      return validateTransportWireMessage({ v })
    }
    const type = TRANSPORT_WIRE_MESSAGE_TYPES[decoding.readVarUint(decoder)]
    if (type === undefined)
      return { ok: false, code: 'invalid-message', reason: 'unknown type tag' }
    const from = decoding.readVarString(decoder)
    const to = decoding.readVarString(decoder)
    const record: Record<string, unknown> = { v, type, from }
    if (to !== '') record.to = to
    switch (type) {
      case 'hello':
      case 'goodbye':
        break
      case 'update': {
        record.conversationId = decoding.readVarString(decoder)
        record.update = decoding.readVarUint8Array(decoder)
        const device = decoding.readVarString(decoder)
        const signature = decoding.readVarUint8Array(decoder)
        if (device !== '') record.device = device
        if (signature.byteLength > 0) record.signature = signature
        break
      }
      case 'awareness':
        record.conversationId = decoding.readVarString(decoder)
        record.update = decoding.readVarUint8Array(decoder)
        break
      case 'sync-request':
        record.conversationId = decoding.readVarString(decoder)
        record.stateVector = decoding.readVarUint8Array(decoder)
        break
      case 'sync-reply': {
        record.conversationId = decoding.readVarString(decoder)
        record.update = decoding.readVarUint8Array(decoder)
        const stateVector = decoding.readVarUint8Array(decoder)
        if (stateVector.byteLength > 0) record.stateVector = stateVector
        break
      }
    }
    if (decoding.hasContent(decoder))
      return { ok: false, code: 'invalid-message', reason: 'trailing bytes' }
    return validateTransportWireMessage(record)
  } catch (error) {
    // lib0 throws on truncated input and malformed UTF-8; both mean "not a message".
    return {
      ok: false,
      code: 'invalid-message',
      reason: `undecodable: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
}
