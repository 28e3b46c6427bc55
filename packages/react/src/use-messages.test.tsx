// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { FakeParleyClient, fakeMessage } from './test-support/fake-parley-client.js'
import { flush, inAct, renderHook } from './test-support/render-hook.js'
import { useMessages, type UseMessagesOptions } from './use-messages.js'

function numbers(messages: readonly { text: string }[]): number[] {
  return messages.map((m) => Number(m.text.replace('message ', '')))
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

async function setup(total: number, options: UseMessagesOptions = { pageSize: 4 }) {
  const client = new FakeParleyClient({ tailSize: 3 })
  client.fakeConversation(
    'c1',
    range(1, total).map((n) => fakeMessage(n)),
  )
  const hook = await renderHook(
    ({ id, opts }: { id: string; opts: UseMessagesOptions }) => useMessages(id, opts),
    { id: 'c1', opts: options },
    { client },
  )
  return { client, hook }
}

describe('useMessages', () => {
  it('starts loading, then shows the live newest page oldest first', async () => {
    const client = new FakeParleyClient({ tailSize: 3 })
    client.fakeConversation('c1', [fakeMessage(3), fakeMessage(1), fakeMessage(2), fakeMessage(4)])
    let first: ReturnType<typeof useMessages> | undefined
    const hook = await renderHook(
      () => {
        const result = useMessages('c1')
        first ??= result
        return result
      },
      undefined,
      { client },
    )
    expect(first?.loading).toBe(true)
    expect(first?.messages).toEqual([])
    expect(hook.result.current.loading).toBe(false)
    expect(numbers(hook.result.current.messages)).toEqual([2, 3, 4])
    expect(hook.result.current.hasOlder).toBe(true)
    expect(hook.result.current.error).toBeUndefined()
  })

  it('merges older pages with the live page, asking before the first message', async () => {
    const { client, hook } = await setup(10)
    expect(numbers(hook.result.current.messages)).toEqual([8, 9, 10])

    await inAct(() => hook.result.current.loadOlder())
    await flush()
    expect(client.pageCalls.at(-1)?.query).toEqual({
      before: { hlc: fakeMessage(8).hlc, id: fakeMessage(8).id },
      limit: 4,
    })
    expect(numbers(hook.result.current.messages)).toEqual(range(4, 10))
    expect(hook.result.current.hasOlder).toBe(true)

    await inAct(() => hook.result.current.loadOlder())
    await flush()
    expect(numbers(hook.result.current.messages)).toEqual(range(1, 10))
    expect(hook.result.current.hasOlder).toBe(false)

    await inAct(() => hook.result.current.loadOlder())
    expect(client.pageCalls).toHaveLength(2)
  })

  it('defaults the page size to 50', async () => {
    const { client, hook } = await setup(10, {})
    await inAct(() => hook.result.current.loadOlder())
    expect(client.pageCalls[0]?.query.limit).toBe(50)
  })

  it('dedupes by id and keeps (hlc, id) order when a page overlaps what it holds', async () => {
    const { client, hook } = await setup(10)
    // A host that answers with messages the list already holds, out of order.
    client.page = async (conversationId, query) => {
      client.pageCalls.push({ conversationId, query })
      return {
        messages: [fakeMessage(9), fakeMessage(6), fakeMessage(7), fakeMessage(8)],
        hasBefore: true,
        hasAfter: true,
      }
    }
    await inAct(() => hook.result.current.loadOlder())
    await flush()
    expect(numbers(hook.result.current.messages)).toEqual([6, 7, 8, 9, 10])
    const ids = hook.result.current.messages.map((m) => m.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('orders equal stamps by id', async () => {
    const client = new FakeParleyClient({ tailSize: 3 })
    const hlc = fakeMessage(1).hlc
    client.fakeConversation('c1', [
      fakeMessage(2, { hlc, text: 'message 2' }),
      fakeMessage(1, { hlc, text: 'message 1' }),
    ])
    const hook = await renderHook(() => useMessages('c1'), undefined, { client })
    expect(numbers(hook.result.current.messages)).toEqual([1, 2])
  })

  it('replaces a message of the live page when it changes', async () => {
    const { client, hook } = await setup(5)
    client.fakeMessages('c1', fakeMessage(4, { text: 'message 4', editedAt: fakeMessage(6).hlc }))
    client.fakeMessages('c1', fakeMessage(5, { status: 'read' }))
    await flush()
    const messages = hook.result.current.messages
    expect(numbers(messages)).toEqual([3, 4, 5])
    expect(messages[1]?.editedAt).toBe(fakeMessage(6).hlc)
    expect(messages[2]?.status).toBe('read')
  })

  it('appends new messages live and keeps those that slide out of the live page', async () => {
    const { client, hook } = await setup(10)
    await inAct(() => hook.result.current.loadOlder())
    client.fakeMessages('c1', fakeMessage(11))
    await flush()
    client.fakeMessages('c1', fakeMessage(12))
    await flush()
    // The live page is now 10..12; 8 and 9 left it but must stay, or a hole would open at 8..9.
    expect(numbers(hook.result.current.messages)).toEqual(range(4, 12))
  })

  it('restarts from the live page when more arrive at once than a page holds', async () => {
    const { client, hook } = await setup(10)
    await inAct(() => hook.result.current.loadOlder())
    expect(numbers(hook.result.current.messages)).toEqual(range(4, 10))
    client.fakeMessages('c1', ...range(11, 20).map((n) => fakeMessage(n)))
    await flush()
    expect(numbers(hook.result.current.messages)).toEqual([18, 19, 20])
    expect(hook.result.current.hasOlder).toBe(true)
    await inAct(() => hook.result.current.loadOlder())
    await flush()
    expect(numbers(hook.result.current.messages)).toEqual(range(14, 20))
  })

  it('shares one request between overlapping loadOlder calls and reports loadingOlder', async () => {
    const { client, hook } = await setup(10)
    client.holdPages = true
    const [a, b] = await inAct(() => [
      hook.result.current.loadOlder(),
      hook.result.current.loadOlder(),
    ])
    expect(a).toBe(b)
    expect(hook.result.current.loadingOlder).toBe(true)
    expect(client.pageCalls).toHaveLength(1)
    await inAct(async () => {
      client.releasePages()
      await a
    })
    expect(hook.result.current.loadingOlder).toBe(false)
    expect(numbers(hook.result.current.messages)).toEqual(range(4, 10))
  })

  it('reports a failed loadOlder in error without rejecting, and clears it on success', async () => {
    const { client, hook } = await setup(10)
    const failure = new Error('disk on fire')
    client.pageError = failure
    await expect(inAct(() => hook.result.current.loadOlder())).resolves.toBeUndefined()
    await flush()
    expect(hook.result.current.error).toBe(failure)
    expect(numbers(hook.result.current.messages)).toEqual([8, 9, 10])
    await inAct(() => hook.result.current.loadOlder())
    await flush()
    expect(hook.result.current.error).toBeUndefined()
    expect(numbers(hook.result.current.messages)).toEqual(range(4, 10))
  })

  it('wraps a rejection that is not an Error', async () => {
    const { client, hook } = await setup(10)
    client.pageError = 'nope'
    await inAct(() => hook.result.current.loadOlder())
    await flush()
    expect(hook.result.current.error).toMatchObject({
      name: 'ParleyReactError',
      code: 'non-error-rejection',
      cause: 'nope',
    })
  })

  it('reports an unknown conversation as an error', async () => {
    const client = new FakeParleyClient()
    const hook = await renderHook(() => useMessages('missing'), undefined, { client })
    expect(hook.result.current.loading).toBe(false)
    expect(hook.result.current.error?.message).toMatch(/unknown conversation/)
    expect(hook.result.current.messages).toEqual([])
  })

  it('starts over when the conversation changes, ignoring a page loaded for the old one', async () => {
    const { client, hook } = await setup(10)
    client.fakeConversation('c2', [fakeMessage(100), fakeMessage(101)])
    client.holdPages = true
    const [pending] = await inAct(() => [hook.result.current.loadOlder()])
    await hook.rerender({ id: 'c2', opts: { pageSize: 4 } })
    await inAct(async () => {
      client.releasePages()
      await pending
    })
    expect(numbers(hook.result.current.messages)).toEqual([100, 101])
    expect(hook.result.current.hasOlder).toBe(false)
    expect(client.conversationSubscriptions('c1')).toBe(0)
    expect(client.conversationSubscriptions('c2')).toBe(1)
  })

  it('releases its subscription on unmount', async () => {
    const { client, hook } = await setup(10)
    expect(client.conversationSubscriptions('c1')).toBe(1)
    await hook.unmount()
    expect(client.activeSubscriptions).toBe(0)
  })
})
