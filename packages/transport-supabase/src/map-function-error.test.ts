import { describe, expect, it } from 'vitest'
import { FunctionsFetchError, FunctionsHttpError, FunctionsRelayError } from '@supabase/supabase-js'
import { mapFunctionError } from './map-function-error.js'

const answer = (status: number, body: unknown) =>
  new FunctionsHttpError(
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }),
  )

describe('mapFunctionError', () => {
  it("maps a Parley function's JSON code, message and camelCased details", async () => {
    const error = await mapFunctionError(
      'requestCompaction',
      answer(403, { code: 'PARLEY_NOT_MEMBER', message: 'not a member', details: { a_b: 1 } }),
    )
    expect(error).toMatchObject({
      name: 'RemoteLogError',
      code: 'forbidden',
      serverCode: 'PARLEY_NOT_MEMBER',
      status: 403,
      operation: 'requestCompaction',
      details: { aB: 1 },
    })
    expect(error.message).toBe('requestCompaction: not a member')
  })

  it('falls back to the HTTP status without a Parley code', async () => {
    const cases: [number, string, boolean][] = [
      [401, 'not-authenticated', false],
      [403, 'forbidden', false],
      [404, 'unknown', false],
      [400, 'invalid', false],
      [429, 'rate-limited', true],
      [500, 'unavailable', true],
      [503, 'unavailable', true],
    ]
    for (const [status, code, retryable] of cases) {
      const error = await mapFunctionError('requestCompaction', answer(status, '<html>'))
      expect([status, error.code, error.retryable]).toEqual([status, code, retryable])
      expect(error.details).toEqual({})
    }
  })

  it('maps failures without an answer: fetch, relay, anything else', async () => {
    const fetchFailed = await mapFunctionError('x', new FunctionsFetchError(new TypeError('down')))
    expect(fetchFailed.code).toBe('network')
    const relay = await mapFunctionError(
      'x',
      new FunctionsRelayError(new Response('', { status: 502 })),
    )
    expect(relay.code).toBe('unavailable')
    expect((await mapFunctionError('x', new Error('odd'))).code).toBe('unknown')
    expect((await mapFunctionError('x', 'odd')).code).toBe('unknown')
  })
})
