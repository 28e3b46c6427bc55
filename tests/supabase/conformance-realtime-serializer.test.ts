// The emulator's vsn 2.0.0 codec against the real rt-js serializer, byte for byte: frames rt-js
// encodes are decoded by the emulator, and frames the emulator encodes are decoded by rt-js
// (SUPABASE-PROTOCOL.md §1.2.1).
import { describe, expect, it } from 'vitest'
import * as rtSerializer from '@supabase/realtime-js/dist/main/lib/serializer.js'
import { serializerV1 } from '../../packages/supabase-emulator/src/realtime/serializer-v1.js'
import { serializerV2 } from '../../packages/supabase-emulator/src/realtime/serializer-v2.js'
import type { UserBroadcastFrame } from '../../packages/supabase-emulator/src/realtime/realtime-message.js'

interface RtSerializer {
  encode(msg: unknown, callback: (result: ArrayBuffer | string) => unknown): unknown
  decode(raw: ArrayBuffer | string, callback: (msg: unknown) => unknown): unknown
}
// The package is CommonJS; depending on the loader the class is `default` or `default.default`.
const moduleDefault = (rtSerializer as { default: unknown }).default
const SerializerClass = (
  typeof moduleDefault === 'function'
    ? moduleDefault
    : (moduleDefault as { default: unknown }).default
) as new () => RtSerializer
const rt = new SerializerClass()

const rtEncode = (msg: unknown): ArrayBuffer | string => {
  let out: ArrayBuffer | string = ''
  rt.encode(msg, (result) => (out = result))
  return out
}
const rtDecode = (raw: ArrayBuffer | string): unknown => {
  let out: unknown
  rt.decode(raw, (msg) => (out = msg))
  return out
}
const toArrayBuffer = (buffer: Buffer): ArrayBuffer =>
  buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer

describe('vsn 2.0.0 codec against rt-js', () => {
  it('decodes rt-js kind-3 pushes (JSON payload), matching the documented bytes', () => {
    const encoded = rtEncode({
      join_ref: '9',
      ref: '11',
      topic: 'realtime:room:1',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'ev', payload: { hello: 'wörld' } },
    })
    const bytes = Buffer.from(encoded as ArrayBuffer)
    expect(bytes.subarray(0, 7)).toEqual(Buffer.from([3, 1, 2, 15, 2, 0, 1]))
    expect(serializerV2.decode(bytes, true)).toEqual({
      type: 'user-broadcast-push',
      joinRef: '9',
      ref: '11',
      topic: 'realtime:room:1',
      userEvent: 'ev',
      metadata: '',
      payload: { encoding: 'json', json: '{"hello":"wörld"}' },
    })
  })

  it('decodes rt-js binary pushes with multi-byte headers and keeps metadata text', () => {
    const payload = new Uint8Array([0, 255, 7]).buffer
    const encoded = rtEncode({
      join_ref: '12',
      ref: '13',
      topic: 'realtime:ünïcödé',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'évènement', payload, persist: true },
    })
    expect(serializerV2.decode(Buffer.from(encoded as ArrayBuffer), true)).toEqual({
      type: 'user-broadcast-push',
      joinRef: '12',
      ref: '13',
      topic: 'realtime:ünïcödé',
      userEvent: 'évènement',
      metadata: '{"persist":true}',
      payload: { encoding: 'binary', bytes: new Uint8Array([0, 255, 7]) },
    })
  })

  it('writes kind-4 frames rt-js decodes, with and without metadata', () => {
    const json: UserBroadcastFrame = {
      type: 'user-broadcast',
      wire: 'binary',
      topic: 'realtime:ünï',
      userEvent: 'é',
      meta: { id: 'abc' },
      payload: { encoding: 'json', json: '{"a":[1,"ö"]}' },
    }
    const out = serializerV2.encode(json) as Buffer
    expect(out[0]).toBe(4)
    expect(rtDecode(toArrayBuffer(out))).toEqual({
      join_ref: null,
      ref: null,
      topic: 'realtime:ünï',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'é', payload: { a: [1, 'ö'] }, meta: { id: 'abc' } },
    })
    const binary = serializerV2.encode({
      ...json,
      meta: null,
      payload: { encoding: 'binary', bytes: new Uint8Array([9, 8, 7]) },
    }) as Buffer
    const decoded = rtDecode(toArrayBuffer(binary)) as {
      payload: { payload: ArrayBuffer; meta?: unknown }
    }
    expect([...new Uint8Array(decoded.payload.payload)]).toEqual([9, 8, 7])
    expect(decoded.payload).not.toHaveProperty('meta')
  })

  it('writes text frames rt-js decodes, and text broadcasts for JSON pushes', () => {
    const reply = serializerV2.encode({
      type: 'message',
      joinRef: '1',
      ref: '2',
      topic: 'realtime:r',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
    }) as string
    expect(rtDecode(reply)).toEqual({
      join_ref: '1',
      ref: '2',
      topic: 'realtime:r',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
    })
    const text = serializerV2.encode({
      type: 'user-broadcast',
      wire: 'text',
      topic: 'realtime:r',
      userEvent: 'e',
      meta: null,
      payload: { encoding: 'json', json: '{"x":1}' },
    }) as string
    expect(JSON.parse(text)).toEqual([
      null,
      null,
      'realtime:r',
      'broadcast',
      { type: 'broadcast', event: 'e', payload: { x: 1 } },
    ])
  })

  it('falls back to text for over-long topics and never sends binary to vsn 1.0.0', () => {
    const frame: UserBroadcastFrame = {
      type: 'user-broadcast',
      wire: 'binary',
      topic: `realtime:${'t'.repeat(300)}`,
      userEvent: 'e',
      meta: null,
      payload: { encoding: 'json', json: '{}' },
    }
    expect(typeof serializerV2.encode(frame)).toBe('string')
    expect(
      serializerV2.encode({ ...frame, payload: { encoding: 'binary', bytes: new Uint8Array(1) } }),
    ).toBeNull()
    expect(
      serializerV1.encode({
        ...frame,
        topic: 'realtime:r',
        payload: { encoding: 'binary', bytes: new Uint8Array(1) },
      }),
    ).toBeNull()
    expect(JSON.parse(serializerV1.encode({ ...frame, topic: 'realtime:r' }) as string)).toEqual({
      topic: 'realtime:r',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'e', payload: {} },
      ref: null,
    })
  })
})
