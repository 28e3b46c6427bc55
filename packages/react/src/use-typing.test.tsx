// @vitest-environment happy-dom
import type { DeviceId, UserId } from '@parley/core'
import { act, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ParleyProvider } from './parley-provider.js'
import { FakeParleyClient } from './test-support/fake-parley-client.js'
import { flush, renderHook } from './test-support/render-hook.js'
import { useTyping, type UseTypingOptions } from './use-typing.js'

function entry(user: string, device: string, typing: boolean) {
  return { user: user as UserId, device: device as DeviceId, status: 'online' as const, typing }
}

async function setup(options: UseTypingOptions = {}, onError?: (error: Error) => void) {
  const client = new FakeParleyClient()
  client.fakeConversation('c1')
  client.fakeConversation('c2')
  const hook = await renderHook(
    ({ id }: { id: string }) => useTyping(id, options),
    { id: 'c1' },
    {
      client,
      ...(onError === undefined ? {} : { onError }),
    },
  )
  return { client, hook }
}

describe('useTyping', () => {
  beforeEach(() => {
    // Only Date is faked: the tests still flush React with real (zero-delay) timers.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_000_000)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('lists other typing users once each, without the local user', async () => {
    const { client, hook } = await setup()
    client.fakePresence('c1', [
      entry('bob', 'b1', true),
      entry('bob', 'b2', true),
      entry('carol', 'c1', false),
      entry('dave', 'd1', true),
      entry('me', 'my-phone', true),
    ])
    await flush()
    const typing = hook.result.current.typingUsers
    expect(typing).toEqual(['bob', 'dave'])
    client.fakePresence('c1', [entry('dave', 'd1', true), entry('bob', 'b1', true)])
    await flush()
    expect(hook.result.current.typingUsers).toEqual(['dave', 'bob'])
    client.fakePresence('c1', [entry('dave', 'd1', true), entry('bob', 'b1', true)])
    await flush()
    expect(hook.result.current.typingUsers).toEqual(['dave', 'bob'])
    const same = hook.result.current.typingUsers
    client.fakePresence('c1', [entry('dave', 'd1', true), entry('bob', 'b9', true)])
    await flush()
    expect(hook.result.current.typingUsers).toBe(same)
    expect(typing).not.toBe(same)
  })

  it('sends typing at most once per interval while the user keeps typing', async () => {
    const { client, hook } = await setup()
    const { setTyping } = hook.result.current
    setTyping(true)
    vi.advanceTimersByTime(300)
    setTyping(true)
    vi.advanceTimersByTime(600)
    setTyping(true)
    expect(client.typingCalls).toEqual([{ conversationId: 'c1', typing: true }])
    vi.advanceTimersByTime(100)
    setTyping(true)
    expect(client.typingCalls).toHaveLength(2)
    setTyping(false)
    setTyping(false)
    expect(client.typingCalls.map((c) => c.typing)).toEqual([true, true, false])
    // After stopping, the next keystroke is sent at once.
    setTyping(true)
    expect(client.typingCalls.map((c) => c.typing)).toEqual([true, true, false, true])
  })

  it('honours renewIntervalMs', async () => {
    const { client, hook } = await setup({ renewIntervalMs: 200 })
    hook.result.current.setTyping(true)
    vi.advanceTimersByTime(200)
    hook.result.current.setTyping(true)
    expect(client.typingCalls).toHaveLength(2)
  })

  it('does not send false when it never sent true', async () => {
    const { client, hook } = await setup()
    hook.result.current.setTyping(false)
    await hook.unmount()
    expect(client.typingCalls).toEqual([])
  })

  it('clears the indicator on unmount and when the conversation changes', async () => {
    const { client, hook } = await setup()
    hook.result.current.setTyping(true)
    await hook.rerender({ id: 'c2' })
    expect(client.typingCalls.at(-1)).toEqual({ conversationId: 'c1', typing: false })
    hook.result.current.setTyping(true)
    expect(client.typingCalls.at(-1)).toEqual({ conversationId: 'c2', typing: true })
    await hook.unmount()
    expect(client.typingCalls.at(-1)).toEqual({ conversationId: 'c2', typing: false })
    expect(client.activeSubscriptions).toBe(0)
  })

  it("sends a failed call's error to the provider's onError", async () => {
    const errors: Error[] = []
    const { client, hook } = await setup({}, (error) => errors.push(error))
    const failure = new Error('no leader')
    client.typingError = failure
    hook.result.current.setTyping(true)
    await flush()
    expect(errors).toEqual([failure])
  })
})

describe('useTyping under a provider re-rendered with a new onError', () => {
  it('keeps the indicator and reports to the latest handler', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1')
    const seen: string[] = []
    let setTyping: ((typing: boolean) => void) | undefined
    function Probe(): ReactNode {
      setTyping = useTyping('c1').setTyping
      return null
    }
    const root = createRoot(document.createElement('div'))
    const render = (label: string) =>
      act(async () =>
        root.render(
          <ParleyProvider
            client={client}
            onError={(error) => seen.push(`${label}:${error.message}`)}
          >
            <Probe />
          </ParleyProvider>,
        ),
      )
    await render('first')
    setTyping?.(true)
    await render('second')
    expect(client.typingCalls.map((c) => c.typing)).toEqual([true])
    client.typingError = new Error('boom')
    setTyping?.(false)
    await flush()
    expect(seen).toEqual(['second:boom'])
    await act(async () => root.unmount())
  })
})
