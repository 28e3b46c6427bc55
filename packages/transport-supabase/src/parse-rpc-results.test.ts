import { describe, expect, it } from 'vitest'
import { isRemoteLogError } from '@parley/core/ports'
import { encodeBase64 } from './base64.js'
import { parseCompaction, parseDevices, parseMembers, parsePullRows } from './parse-rpc-results.js'

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const signature = encodeBase64(new Uint8Array(64).fill(7))
const row = (seq: number, extra: Record<string, unknown> = {}) => ({
  seq,
  update: encodeBase64(new Uint8Array([seq])),
  author: uuid(1),
  client_update_id: uuid(100 + seq),
  created_at: '2026-12-04T12:00:00Z',
  device_id: uuid(2),
  signature,
  ...extra,
})

const fails = (parse: () => unknown) => {
  try {
    parse()
  } catch (error) {
    return isRemoteLogError(error, 'invalid-response')
  }
  return false
}

describe('parsePullRows', () => {
  it('reads the device and the signature of every row', () => {
    const [update] = parsePullRows([row(1)], 0)
    expect(update).toMatchObject({ seq: 1, device: uuid(2), author: uuid(1) })
    expect(update?.signature).toEqual(new Uint8Array(64).fill(7))
  })

  it('passes a row whose device is gone as device null; fails the page on a bad signature', () => {
    // A deleted user's rows lose their device: replicas refuse them, the rest still flows.
    const rows = parsePullRows([row(1), row(2, { device_id: null, signature: null })], 0)
    expect(rows.map((r) => [r.seq, r.device === null, r.signature === null])).toEqual([
      [1, false, false],
      [2, true, true],
    ])
    const short = encodeBase64(new Uint8Array(63))
    expect(fails(() => parsePullRows([row(1, { signature: short })], 0))).toBe(true)
  })
})

describe('parseDevices', () => {
  it('reads keys as bytes and client ids as numbers', () => {
    const key = new Uint8Array(32).fill(1)
    expect(
      parseDevices([
        {
          device_id: uuid(2),
          user_id: uuid(1),
          public_key: encodeBase64(key),
          client_ids: [5, 2 ** 53 - 1],
        },
      ]),
    ).toEqual([{ id: uuid(2), user: uuid(1), publicKey: key, clientIds: [5, 2 ** 53 - 1] }])
  })

  it('refuses short keys and client ids that are not safe positive integers', () => {
    const device = {
      device_id: uuid(2),
      user_id: uuid(1),
      public_key: encodeBase64(new Uint8Array(32)),
      client_ids: [1],
    }
    expect(
      fails(() => parseDevices([{ ...device, public_key: encodeBase64(new Uint8Array(31)) }])),
    ).toBe(true)
    for (const ids of [[0], ['7'], [2 ** 53], null])
      expect(fails(() => parseDevices([{ ...device, client_ids: ids }]))).toBe(true)
  })
})

describe('parseMembers and parseCompaction', () => {
  it('reads members with roles and join dates', () => {
    expect(
      parseMembers([{ user_id: uuid(1), role: 'owner', joined_at: '2026-12-04T12:00:00Z' }]),
    ).toEqual([{ user: uuid(1), role: 'owner', joinedAt: Date.parse('2026-12-04T12:00:00Z') }])
    expect(
      fails(() => parseMembers([{ user_id: uuid(1), role: 'admin', joined_at: '2026-12-04' }])),
    ).toBe(true)
  })

  it('keeps only `started` of the compactor answer', () => {
    expect(parseCompaction({ started: true, upto_seq: 9 })).toEqual({ started: true })
    expect(fails(() => parseCompaction({ reason: 'short' }))).toBe(true)
    expect(fails(() => parseCompaction('ok'))).toBe(true)
  })
})
