// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { FakeParleyClient } from './test-support/fake-parley-client.js'
import { flush, renderHook } from './test-support/render-hook.js'
import { useConversations } from './use-conversations.js'

describe('useConversations', () => {
  it('loads the list, then follows it live', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1', [], 'First')
    const seen: boolean[] = []
    const hook = await renderHook(
      () => {
        const result = useConversations()
        seen.push(result.loading)
        return result
      },
      undefined,
      { client },
    )
    expect(seen[0]).toBe(true)
    expect(hook.result.current.loading).toBe(false)
    expect(hook.result.current.conversations.map((c) => c.title)).toEqual(['First'])

    client.fakeConversation('c2', [], 'Second')
    await flush()
    expect(hook.result.current.conversations.map((c) => c.title)).toEqual(['First', 'Second'])
  })

  it('reports a failed initial read as an error and recovers with the next live list', async () => {
    const client = new FakeParleyClient()
    const failure = new Error('database closed')
    client.listError = failure
    const hook = await renderHook(() => useConversations(), undefined, { client })
    expect(hook.result.current).toMatchObject({ loading: false, error: failure, conversations: [] })

    client.listError = undefined
    client.fakeConversation('c1')
    await flush()
    expect(hook.result.current.error).toBeUndefined()
    expect(hook.result.current.conversations).toHaveLength(1)
  })

  it('shares one subscription between components and releases it with the last one', async () => {
    const client = new FakeParleyClient()
    const a = await renderHook(() => useConversations(), undefined, { client })
    const b = await renderHook(() => useConversations(), undefined, { client })
    expect(client.activeSubscriptions).toBe(1)
    await a.unmount()
    expect(client.activeSubscriptions).toBe(1)
    await b.unmount()
    expect(client.activeSubscriptions).toBe(0)

    // A later mount subscribes afresh and gets the current list.
    client.fakeConversation('c1')
    const c = await renderHook(() => useConversations(), undefined, { client })
    expect(client.activeSubscriptions).toBe(1)
    expect(c.result.current.conversations).toHaveLength(1)
    await c.unmount()
    expect(client.activeSubscriptions).toBe(0)
  })
})
