// vsn 1.0.0: every frame is a JSON object. Clients send {topic, event, payload, ref, join_ref};
// the server answers {topic, event, payload, ref} without join_ref (SUPABASE-PROTOCOL.md §1.2).
import {
  FrameDecodeError,
  isJsonObject,
  readRef,
  type EncodedFrame,
  type InboundFrame,
  type OutboundFrame,
  type RealtimeSerializer,
} from './realtime-message.js'

/** The vsn 1.0.0 JSON-object codec. */
export const serializerV1: RealtimeSerializer = {
  vsn: '1.0.0',
  decode(data: Buffer): InboundFrame {
    // Phoenix's V1 serializer JSON-decodes whatever the opcode, so binary frames get no favours.
    let value: unknown
    try {
      value = JSON.parse(data.toString('utf8'))
    } catch (error) {
      throw new FrameDecodeError('frame is not JSON', { cause: error })
    }
    if (!isJsonObject(value)) throw new FrameDecodeError('vsn 1.0.0 frames are JSON objects')
    const { topic, event } = value
    if (typeof topic !== 'string' || typeof event !== 'string' || !('payload' in value)) {
      throw new FrameDecodeError('frame needs string topic and event, and a payload')
    }
    return {
      type: 'push',
      joinRef: readRef(value.join_ref, 'join_ref'),
      ref: readRef(value.ref, 'ref'),
      topic,
      event,
      payload: value.payload,
    }
  },
  encode(frame: OutboundFrame): EncodedFrame {
    if (frame.type === 'message') {
      return JSON.stringify({
        topic: frame.topic,
        event: frame.event,
        payload: frame.payload,
        ref: frame.ref,
      })
    }
    // A v1 socket cannot represent binary payloads; Realtime skips such subscribers.
    if (frame.payload.encoding === 'binary') return null
    const meta = frame.meta === null ? '' : `,"meta":${JSON.stringify(frame.meta)}`
    return (
      `{"topic":${JSON.stringify(frame.topic)},"event":"broadcast","payload":{"type":"broadcast",` +
      `"event":${JSON.stringify(frame.userEvent)},"payload":${frame.payload.json}${meta}},"ref":null}`
    )
  },
}
