import { describe, expect, it } from 'vitest'
import type { ConversationId } from '../ids.js'
import { isParleyError } from '../errors.js'
import { decodeTransportMessage, encodeTransportMessage } from './transport-message-codec.js'
import {
  asPeerId,
  isTransportMessage,
  isTransportWireMessage,
  validateTransportMessage,
  validateTransportWireMessage,
  type TransportWireMessage,
} from './transport-messages.js'

const a = asPeerId('peer-a')
const b = asPeerId('peer-b')
const conv = 'conv-1' as ConversationId
const bytes = (...values: number[]) => new Uint8Array(values)

const samples: TransportWireMessage[] = [
  { v: 1, type: 'hello', from: a },
  { v: 1, type: 'hello', from: a, to: b },
  { v: 1, type: 'goodbye', from: a },
  { v: 1, type: 'update', from: a, conversationId: conv, update: bytes(1, 2, 3) },
  { v: 1, type: 'update', from: a, to: b, conversationId: conv, update: bytes(0) },
  { v: 1, type: 'awareness', from: b, conversationId: conv, update: bytes(9, 9) },
  { v: 1, type: 'sync-request', from: a, conversationId: conv, stateVector: bytes(0) },
  { v: 1, type: 'sync-reply', from: b, to: a, conversationId: conv, update: bytes(0, 0) },
  {
    v: 1,
    type: 'sync-reply',
    from: b,
    to: a,
    conversationId: conv,
    update: bytes(1),
    stateVector: bytes(1, 5, 7),
  },
]

describe('transport messages', () => {
  it('accepts every sample as-is and strips unknown fields', () => {
    for (const sample of samples) {
      expect(validateTransportWireMessage(sample)).toEqual({ ok: true, message: sample })
    }
    const result = validateTransportWireMessage({
      ...samples[3],
      extra: 'x',
      __proto__: { polluted: true },
    })
    expect(result.ok && Object.keys(result.message).sort()).toEqual([
      'conversationId',
      'from',
      'type',
      'update',
      'v',
    ])
  })

  it('separates data messages from control messages', () => {
    expect(isTransportMessage(samples[3])).toBe(true)
    expect(isTransportMessage(samples[0])).toBe(false)
    expect(isTransportWireMessage(samples[0])).toBe(true)
    expect(validateTransportMessage(samples[2])).toMatchObject({
      ok: false,
      code: 'invalid-message',
    })
  })

  it('rejects garbage with a reason, and other versions as unsupported', () => {
    const update = samples[3] as unknown as Record<string, unknown>
    const garbage: unknown[] = [
      null,
      undefined,
      42,
      'update',
      [],
      bytes(1, 2),
      {},
      { ...update, v: '1' },
      { ...update, v: 0 },
      { ...update, type: 'nope' },
      { ...update, type: 7 },
      { ...update, from: '' },
      { ...update, from: 'has/slash' },
      { ...update, from: 'x'.repeat(129) },
      { ...update, to: null },
      { ...update, conversationId: undefined },
      { ...update, conversationId: 'a~b' },
      { ...update, update: [1, 2] },
      { ...update, update: new Uint8Array(0) },
      { ...update, update: new Uint16Array(2) },
      { ...update, update: new ArrayBuffer(2) },
      { v: 1, type: 'sync-request', from: a, conversationId: conv },
      {
        v: 1,
        type: 'sync-reply',
        from: a,
        conversationId: conv,
        update: bytes(1),
        stateVector: 'x',
      },
    ]
    for (const value of garbage) {
      const result = validateTransportWireMessage(value)
      expect(result.ok, JSON.stringify(value)).toBe(false)
      expect(!result.ok && result.code).toBe('invalid-message')
      expect(!result.ok && result.reason.length).toBeGreaterThan(0)
    }
    expect(validateTransportWireMessage({ ...update, v: 2 })).toMatchObject({
      ok: false,
      code: 'unsupported-version',
    })
  })

  it('brands peer ids only when valid', () => {
    expect(asPeerId('tab_1-x')).toBe('tab_1-x')
    expect(() => asPeerId('bad id')).toThrow()
    try {
      asPeerId('')
    } catch (error) {
      expect(isParleyError(error, 'invalid-argument')).toBe(true)
    }
  })
})

describe('transport message codec', () => {
  it('round-trips every message type', () => {
    for (const sample of samples) {
      expect(decodeTransportMessage(encodeTransportMessage(sample))).toEqual({
        ok: true,
        message: sample,
      })
    }
  })

  it('rejects every truncation, trailing bytes and unknown tags without throwing', () => {
    for (const sample of samples) {
      const encoded = encodeTransportMessage(sample)
      for (let length = 0; length < encoded.length; length++) {
        expect(decodeTransportMessage(encoded.subarray(0, length)).ok).toBe(false)
      }
      const longer = new Uint8Array(encoded.length + 1)
      longer.set(encoded)
      expect(decodeTransportMessage(longer)).toMatchObject({ ok: false, reason: 'trailing bytes' })
    }
    expect(decodeTransportMessage(bytes(1, 99, 0, 0))).toMatchObject({
      ok: false,
      reason: 'unknown type tag',
    })
    expect(decodeTransportMessage(bytes(2, 2))).toMatchObject({
      ok: false,
      code: 'unsupported-version',
    })
  })

  it('never throws on random bytes', () => {
    // A tiny inline LCG keeps this test free of @parley/testing (which depends on core).
    let state = 12345
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0)
    for (let i = 0; i < 2_000; i++) {
      const input = Uint8Array.from({ length: next() % 40 }, () => next() & 0xff)
      if (i % 2 === 0 && input.length > 0) input[0] = 1
      expect(() => decodeTransportMessage(input)).not.toThrow()
    }
  })
})
