// vsn 2.0.0: text frames are JSON arrays [join_ref, ref, topic, event, payload]; binary frames
// carry user broadcasts only — kind 3 from the client, kind 4 to the client (§1.2.1). supabase-js
// can decode no other binary kind, so nothing else is ever sent as binary.
import {
  FrameDecodeError,
  parseBroadcastJson,
  readRef,
  type BroadcastPayload,
  type EncodedFrame,
  type InboundFrame,
  type OutboundFrame,
  type RealtimeSerializer,
  type UserBroadcastFrame,
  type UserBroadcastPushFrame,
} from './realtime-message.js'

const KIND_USER_BROADCAST_PUSH = 3
const KIND_USER_BROADCAST = 4
const ENCODING_BINARY = 0
const ENCODING_JSON = 1
/** Kind 3 header: kind + five lengths + payload encoding. */
const PUSH_HEADER = 7
/** Kind 4 header: kind + three lengths + payload encoding. */
const BROADCAST_HEADER = 5
const MAX_FIELD = 255

/** The vsn 2.0.0 JSON-array + binary codec. */
export const serializerV2: RealtimeSerializer = {
  vsn: '2.0.0',
  decode(data: Buffer, isBinary: boolean): InboundFrame {
    return isBinary ? decodeUserBroadcastPush(data) : decodeText(data)
  },
  encode(frame: OutboundFrame): EncodedFrame {
    if (frame.type === 'message') {
      return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload])
    }
    if (frame.wire === 'text' && frame.payload.encoding === 'json') {
      return encodeTextBroadcast(frame, frame.payload.json)
    }
    // Over-long headers cannot go binary; JSON payloads still fit a text frame, binary ones do not.
    return (
      encodeUserBroadcast(frame) ??
      (frame.payload.encoding === 'json' ? encodeTextBroadcast(frame, frame.payload.json) : null)
    )
  },
}

function decodeText(data: Buffer): InboundFrame {
  let value: unknown
  try {
    value = JSON.parse(data.toString('utf8'))
  } catch (error) {
    throw new FrameDecodeError('frame is not JSON', { cause: error })
  }
  if (!Array.isArray(value) || value.length < 5) {
    throw new FrameDecodeError('vsn 2.0.0 text frames are [join_ref, ref, topic, event, payload]')
  }
  const [joinRef, ref, topic, event, payload] = value as unknown[]
  if (typeof topic !== 'string' || typeof event !== 'string') {
    throw new FrameDecodeError('topic and event must be strings')
  }
  return {
    type: 'push',
    joinRef: readRef(joinRef, 'join_ref'),
    ref: readRef(ref, 'ref'),
    topic,
    event,
    payload,
  }
}

/** Reads a kind-3 frame; every length is checked against the frame so garbage cannot overrun. */
function decodeUserBroadcastPush(data: Buffer): UserBroadcastPushFrame {
  if (data.length < PUSH_HEADER || data[0] !== KIND_USER_BROADCAST_PUSH) {
    throw new FrameDecodeError(`unsupported binary frame kind ${data[0] ?? 'none'}`)
  }
  const lengths = [data[1], data[2], data[3], data[4], data[5]] as number[]
  const encoding = data[6]
  if (encoding !== ENCODING_BINARY && encoding !== ENCODING_JSON) {
    throw new FrameDecodeError(`unknown payload encoding ${encoding}`)
  }
  let offset = PUSH_HEADER
  const fields: string[] = []
  for (const length of lengths) {
    if (offset + length > data.length) throw new FrameDecodeError('binary frame is truncated')
    fields.push(data.toString('utf8', offset, offset + length))
    offset += length
  }
  const [joinRef, ref, topic, userEvent, metadata] = fields as [
    string,
    string,
    string,
    string,
    string,
  ]
  const body = data.subarray(offset)
  const payload: BroadcastPayload =
    encoding === ENCODING_JSON
      ? { encoding: 'json', json: validJson(body) }
      : { encoding: 'binary', bytes: new Uint8Array(body) }
  return {
    type: 'user-broadcast-push',
    joinRef: joinRef === '' ? null : joinRef,
    ref: ref === '' ? null : ref,
    topic,
    userEvent,
    metadata,
    payload,
  }
}

function validJson(body: Buffer): string {
  const text = body.toString('utf8')
  parseBroadcastJson(text)
  return text
}

/** Writes a kind-4 frame, or returns null when a header field exceeds its one-byte length. */
function encodeUserBroadcast(frame: UserBroadcastFrame): Buffer | null {
  const topic = Buffer.from(frame.topic, 'utf8')
  const event = Buffer.from(frame.userEvent, 'utf8')
  const meta = Buffer.from(frame.meta === null ? '' : JSON.stringify(frame.meta), 'utf8')
  if (topic.length > MAX_FIELD || event.length > MAX_FIELD || meta.length > MAX_FIELD) return null
  const payload =
    frame.payload.encoding === 'json'
      ? Buffer.from(frame.payload.json, 'utf8')
      : Buffer.from(
          frame.payload.bytes.buffer,
          frame.payload.bytes.byteOffset,
          frame.payload.bytes.byteLength,
        )
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    topic.length,
    event.length,
    meta.length,
    frame.payload.encoding === 'json' ? ENCODING_JSON : ENCODING_BINARY,
  ])
  return Buffer.concat(
    [header, topic, event, meta, payload],
    BROADCAST_HEADER + topic.length + event.length + meta.length + payload.length,
  )
}

function encodeTextBroadcast(frame: UserBroadcastFrame, json: string): string {
  const meta = frame.meta === null ? '' : `,"meta":${JSON.stringify(frame.meta)}`
  return (
    `[null,null,${JSON.stringify(frame.topic)},"broadcast",{"type":"broadcast",` +
    `"event":${JSON.stringify(frame.userEvent)},"payload":${json}${meta}}]`
  )
}
