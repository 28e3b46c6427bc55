import { describe, expect, it } from 'vitest'
import { mapRpcError } from './map-rpc-error.js'

describe('mapRpcError', () => {
  it('maps Parley hints, keeping the server code and camelCased details', () => {
    const error = mapRpcError('pull', 400, {
      code: 'P0001',
      message: 'PARLEY_HISTORY_PRUNED: load the snapshot first',
      details: '{"pruned_upto_seq": 40}',
      hint: 'PARLEY_HISTORY_PRUNED',
    })
    expect(error).toMatchObject({
      name: 'RemoteLogError',
      code: 'history-pruned',
      serverCode: 'PARLEY_HISTORY_PRUNED',
      status: 400,
      operation: 'pull',
      details: { prunedUptoSeq: 40 },
    })
    expect(error.retryable).toBe(false)
  })

  it('maps transport-level failures to retryable codes', () => {
    const cases: [number, string, string][] = [
      [0, '', 'network'],
      [401, 'PGRST303', 'auth-expired'],
      [401, 'PGRST301', 'auth-expired'],
      [429, '', 'rate-limited'],
      [503, 'PGRST001', 'unavailable'],
      [520, '', 'unavailable'],
    ]
    for (const [status, code, expected] of cases) {
      const error = mapRpcError('push', status, { code, message: 'x' })
      expect([status, code, error.code, error.retryable]).toEqual([status, code, expected, true])
    }
  })

  it('maps the join rate limit to a retryable code with its delay', () => {
    const error = mapRpcError('joinConversation', 400, {
      code: 'P0001',
      hint: 'PARLEY_RATE_LIMITED',
      message: 'too many failed invite codes; wait',
      details: '{"retry_after_s": 420}',
    })
    expect(error).toMatchObject({ code: 'rate-limited', details: { retryAfterS: 420 } })
    expect(error.retryable).toBe(true)
  })

  it('maps permission, argument and unknown failures to permanent codes', () => {
    const cases: [number, string, string, string][] = [
      [401, '42501', '', 'not-authenticated'],
      [403, '42501', '', 'forbidden'],
      [400, '22P02', '', 'invalid'],
      [400, 'P0001', 'PARLEY_NOT_MEMBER', 'forbidden'],
      [400, 'P0001', 'PARLEY_CLIENT_UPDATE_ID_REUSED', 'conflict'],
      [400, 'P0001', 'PARLEY_INVITE_EXHAUSTED', 'invite-exhausted'],
      [400, 'P0001', 'PARLEY_UNKNOWN_DEVICE', 'forbidden'],
      [400, 'P0001', 'PARLEY_DEVICE_TAKEN', 'conflict'],
      [400, 'P0001', 'PARLEY_CLIENT_ID_TAKEN', 'conflict'],
      [400, 'P0001', 'PARLEY_TOO_MANY_CLIENT_IDS', 'invalid'],
      [404, 'PGRST202', '', 'unknown'],
      // Not a Parley code, even though it is a property of every object.
      [400, 'P0001', 'constructor', 'unknown'],
    ]
    for (const [status, code, hint, expected] of cases) {
      const error = mapRpcError('push', status, { code, hint, message: 'x', details: 'not json' })
      expect([code, hint, error.code, error.retryable]).toEqual([code, hint, expected, false])
      expect(error.details).toEqual({})
    }
  })
})
