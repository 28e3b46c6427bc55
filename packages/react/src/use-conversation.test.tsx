// @vitest-environment happy-dom
import { StrictMode, act, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import type { DeviceId, UserId } from '@parley/core'
import { describe, expect, it } from 'vitest'
import { ParleyProvider } from './parley-provider.js'
import { FakeParleyClient, fakeMessage } from './test-support/fake-parley-client.js'
import { flush, renderHook } from './test-support/render-hook.js'
import { useConversation } from './use-conversation.js'
import { useMessages } from './use-messages.js'
import { usePresence } from './use-presence.js'

const bob = { user: 'bob' as UserId, device: 'device-b' as DeviceId }

describe('useConversation', () => {
  it('follows the conversation state live', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1', [fakeMessage(1)], 'Team')
    const hook = await renderHook(
      ({ id }: { id: string }) => useConversation(id),
      { id: 'c1' },
      {
        client,
      },
    )
    expect(hook.result.current.loading).toBe(false)
    expect(hook.result.current.conversation?.meta.title).toBe('Team')
    expect(hook.result.current.conversation?.page.messages).toHaveLength(1)

    client.fakeMessages('c1', fakeMessage(2))
    await flush()
    expect(hook.result.current.conversation?.page.messages).toHaveLength(2)
  })

  it('reports an unknown conversation as an error', async () => {
    const client = new FakeParleyClient()
    const hook = await renderHook(() => useConversation('nope'), undefined, { client })
    expect(hook.result.current.loading).toBe(false)
    expect(hook.result.current.conversation).toBeUndefined()
    expect(hook.result.current.error?.message).toMatch(/unknown conversation nope/)
  })

  it('switches its subscription when the id changes and releases it on unmount', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1', [], 'One')
    client.fakeConversation('c2', [], 'Two')
    const hook = await renderHook(
      ({ id }: { id: string }) => useConversation(id),
      { id: 'c1' },
      {
        client,
      },
    )
    await hook.rerender({ id: 'c2' })
    expect(hook.result.current.conversation?.meta.title).toBe('Two')
    expect(client.conversationSubscriptions('c1')).toBe(0)
    expect(client.conversationSubscriptions('c2')).toBe(1)
    await hook.unmount()
    expect(client.activeSubscriptions).toBe(0)
  })

  it('shares one subscription among the hooks of one conversation', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1')
    const hook = await renderHook(
      () => [useConversation('c1'), usePresence('c1'), useMessages('c1')] as const,
      undefined,
      { client },
    )
    expect(client.conversationSubscriptions('c1')).toBe(1)
    await hook.unmount()
    expect(client.activeSubscriptions).toBe(0)
  })

  it('keeps one live subscription under StrictMode and releases it on unmount', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1', [], 'Team')
    let title: string | undefined
    function Probe(): ReactNode {
      title = useConversation('c1').conversation?.meta.title
      useMessages('c1')
      return null
    }
    const root = createRoot(document.createElement('div'))
    await act(async () =>
      root.render(
        <StrictMode>
          <ParleyProvider client={client}>
            <Probe />
          </ParleyProvider>
        </StrictMode>,
      ),
    )
    await flush()
    expect(title).toBe('Team')
    expect(client.conversationSubscriptions('c1')).toBe(1)
    await act(async () => root.unmount())
    expect(client.activeSubscriptions).toBe(0)
  })
})

describe('usePresence', () => {
  it('is empty while loading, then follows presence live', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1')
    const hook = await renderHook(() => usePresence('c1'), undefined, { client })
    expect(hook.result.current).toEqual([])

    client.fakePresence('c1', [{ ...bob, status: 'online', typing: false }])
    await flush()
    expect(hook.result.current).toEqual([{ ...bob, status: 'online', typing: false }])

    client.fakePresence('c1', [{ ...bob, status: 'away', typing: false }])
    await flush()
    expect(hook.result.current[0]?.status).toBe('away')
  })
})
