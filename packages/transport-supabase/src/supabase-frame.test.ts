import { describe, expect, it } from 'vitest'
import type { ConversationId, DeviceId, OutgoingTransportMessage, PeerId } from '@parley/core/ports'
import { decodeSupabaseFrame, encodeMessageBody, encodeSupabaseFrame } from './supabase-frame.js'

const conversation = 'c0ffee00-0000-4000-8000-000000000001' as ConversationId
const from = 'peer-a' as PeerId
const b = (...v: number[]) => new Uint8Array(v)

const messages: OutgoingTransportMessage[] = [
  { type: 'update', conversationId: conversation, update: b(1, 2, 3) },
  {
    type: 'update',
    conversationId: conversation,
    update: b(9),
    device: 'd0000000-0000-4000-8000-000000000001' as DeviceId,
    signature: new Uint8Array(64).fill(3),
  },
  { type: 'awareness', conversationId: conversation, update: b(4) },
  { type: 'sync-request', conversationId: conversation, stateVector: b(5, 0) },
  {
    type: 'sync-reply',
    conversationId: conversation,
    to: 'peer-b' as PeerId,
    update: b(6),
    stateVector: b(7),
  },
  { type: 'sync-reply', conversationId: conversation, update: b(8) },
]

describe('supabase frame', () => {
  it('round-trips every message type, several per frame, stamping v, from and the channel', () => {
    const frame = encodeSupabaseFrame(
      from,
      messages.map((m) => encodeMessageBody(m).bytes),
    )
    const result = decodeSupabaseFrame(frame, conversation)
    expect(result).toEqual({
      ok: true,
      from,
      messages: messages.map((m) => ({ ...m, v: 1, from })),
    })
  })

  it('takes the conversation from the channel, never from the sender', () => {
    const frame = encodeSupabaseFrame(from, [encodeMessageBody(messages[0]!).bytes])
    const other = 'other-conversation' as ConversationId
    const result = decodeSupabaseFrame(frame, other)
    expect(result.ok && result.messages[0]).toMatchObject({ conversationId: other })
  })

  it('copies the payload when encoding a body', () => {
    const update = b(1, 1)
    const body = encodeMessageBody({ type: 'update', conversationId: conversation, update })
    update.fill(9)
    const result = decodeSupabaseFrame(encodeSupabaseFrame(from, [body.bytes]), conversation)
    expect(result.ok && result.messages[0]).toMatchObject({ update: b(1, 1) })
  })

  it('rejects empty frames, other versions, bad senders, invalid messages and trailing bytes', () => {
    const body = encodeMessageBody(messages[0]!).bytes
    const cases: [Uint8Array, string][] = [
      [encodeSupabaseFrame(from, []), 'invalid-message'],
      [
        new Uint8Array([2, ...encodeSupabaseFrame(from, [body]).subarray(1)]),
        'unsupported-version',
      ],
      [encodeSupabaseFrame('bad id' as PeerId, [body]), 'invalid-message'],
      [
        encodeSupabaseFrame(from, [
          encodeMessageBody({ ...messages[0]!, update: b() } as never).bytes,
        ]),
        'invalid-message',
      ],
      [new Uint8Array([...encodeSupabaseFrame(from, [body]), 0]), 'invalid-message'],
      [new Uint8Array([]), 'invalid-message'],
    ]
    for (const [frame, code] of cases) {
      const result = decodeSupabaseFrame(frame, conversation)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.code).toBe(code)
    }
  })

  it('never throws on truncated or mutated frames (seeded)', () => {
    const seed = 20261121
    // A small LCG: this package does not depend on the test kit.
    let state = seed
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    const rng = { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) }
    const frame = encodeSupabaseFrame(
      from,
      messages.map((m) => encodeMessageBody(m).bytes),
    )
    for (let i = 0; i < 2_000; i++) {
      const mutated = frame.slice(0, rng.int(0, frame.length))
      if (mutated.length > 0 && rng.next() < 0.5)
        mutated[rng.int(0, mutated.length - 1)] = rng.int(0, 255)
      expect(
        () => decodeSupabaseFrame(mutated, conversation),
        `seed ${seed}, case ${i}`,
      ).not.toThrow()
    }
  })
})
