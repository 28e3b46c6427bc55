// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { isParleyReactError, ParleyReactError } from './parley-react-error.js'
import { FakeParleyClient } from './test-support/fake-parley-client.js'
import { renderHook } from './test-support/render-hook.js'
import { useConversations } from './use-conversations.js'
import { useParley } from './use-parley.js'

function attempt(hook: () => unknown): () => unknown {
  return () => {
    try {
      return hook()
    } catch (error) {
      return error
    }
  }
}

describe('useParley', () => {
  it('returns the client given to the provider', async () => {
    const client = new FakeParleyClient()
    const hook = await renderHook(() => useParley(), undefined, { client })
    expect(hook.result.current).toBe(client)
  })

  it('throws a typed ParleyReactError outside a provider, as does every hook', async () => {
    for (const hook of [useParley, useConversations] as (() => unknown)[]) {
      const rendered = await renderHook(attempt(hook), undefined)
      const error = rendered.result.current
      expect(error).toBeInstanceOf(ParleyReactError)
      expect(isParleyReactError(error)).toBe(true)
      expect(error).toMatchObject({ name: 'ParleyReactError', code: 'missing-provider' })
      await rendered.unmount()
    }
  })

  it('recognises a ParleyReactError rebuilt elsewhere by name and code', () => {
    const rebuilt = Object.assign(new Error('x'), {
      name: 'ParleyReactError',
      code: 'missing-provider',
    })
    expect(isParleyReactError(rebuilt)).toBe(true)
    expect(isParleyReactError(new Error('x'))).toBe(false)
    expect(isParleyReactError('ParleyReactError')).toBe(false)
  })
})
