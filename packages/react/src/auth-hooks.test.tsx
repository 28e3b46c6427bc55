// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { useEffect, useRef } from 'react'
import type { DeviceId, HlcStamp, UserId } from '@parley/core'
import { FakeParleyClient } from './test-support/fake-parley-client.js'
import { flush, renderHook } from './test-support/render-hook.js'
import { useMarkReadWhenVisible } from './use-mark-read-when-visible.js'
import { useMembers } from './use-members.js'
import { useParleyError } from './use-parley-error.js'
import { useParleySession } from './use-parley-session.js'
import { useParleyContext } from './use-parley.js'

describe('useParleySession', () => {
  it('follows the auth state of every tab, and remounts the tree on a user change', async () => {
    const client = new FakeParleyClient()
    let mounts = 0
    const hook = await renderHook(
      () => {
        const state = useParleySession()
        const mounted = useRef(false)
        useEffect(() => {
          if (!mounted.current) mounts++
          mounted.current = true
        }, [])
        return state
      },
      undefined,
      { client },
    )
    expect(hook.result.current).toMatchObject({ status: 'signed-in', user: { id: 'me' } })
    expect(mounts).toBe(1)

    client.fakeAuth({
      status: 'signed-in',
      user: { id: 'me', displayName: 'Me' },
      token: 'expired',
    })
    await flush()
    expect(hook.result.current).toMatchObject({ token: 'expired' })
    expect(mounts).toBe(1) // same user: no remount

    client.fakeAuth({
      status: 'signed-in',
      user: { id: 'other', displayName: 'O' },
      token: 'valid',
    })
    await flush()
    expect(hook.result.current).toMatchObject({ user: { id: 'other' } })
    expect(mounts).toBe(2) // another user: nothing of the previous one survives

    client.fakeAuth({ status: 'signed-out' })
    await flush()
    expect(hook.result.current).toEqual({ status: 'signed-out' })
    await hook.unmount()
  })
})

describe('useMembers', () => {
  it('joins members with presence and typing, the local user first', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1')
    const stamp = '000000000001-0000-d' as HlcStamp
    client.fakeMembers('c1', [
      {
        user: 'zed' as UserId,
        role: 'member',
        addedBy: 'me' as UserId,
        addedAt: stamp,
        name: 'Zed',
      },
      {
        user: 'amy' as UserId,
        role: 'member',
        addedBy: 'me' as UserId,
        addedAt: stamp,
        name: 'Amy',
      },
      { user: 'me' as UserId, role: 'owner', addedBy: 'me' as UserId, addedAt: stamp, name: 'Me' },
      { user: 'bob' as UserId, role: 'member', addedBy: 'me' as UserId, addedAt: stamp },
    ])
    client.fakePresence('c1', [
      { user: 'amy' as UserId, device: 'a1' as DeviceId, status: 'away', typing: false },
      { user: 'amy' as UserId, device: 'a2' as DeviceId, status: 'online', typing: true },
      { user: 'zed' as UserId, device: 'z1' as DeviceId, status: 'away', typing: false },
    ])
    const hook = await renderHook(() => useMembers('c1'), undefined, { client })
    expect(
      hook.result.current.map((m) => [m.user, m.displayName, m.presence, m.typing, m.isMe]),
    ).toEqual([
      ['me', 'Me', 'online', false, true],
      ['bob', '', 'offline', false, false],
      ['amy', 'Amy', 'online', true, false],
      ['zed', 'Zed', 'away', false, false],
    ])
    await hook.unmount()
  })
})

describe('useMarkReadWhenVisible', () => {
  it('marks read while the page is visible, and waits while it is hidden', async () => {
    const client = new FakeParleyClient()
    client.fakeConversation('c1')
    client.fakeUnread('c1', 2)
    let hidden = true
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    })
    const hook = await renderHook(() => useMarkReadWhenVisible('c1'), undefined, { client })
    await flush()
    expect(client.markReadCalls).toEqual([])

    hidden = false
    document.dispatchEvent(new Event('visibilitychange'))
    await flush()
    await flush()
    expect(client.markReadCalls).toEqual(['c1'])

    // Read now; a new message while visible is marked read again.
    client.fakeUnread('c1', 1)
    await flush()
    await flush()
    expect(client.markReadCalls).toEqual(['c1', 'c1'])
    await hook.unmount()
    Reflect.deleteProperty(document, 'visibilityState')
  })
})

describe('useParleyError', () => {
  it('holds the newest unawaited error until dismissed', async () => {
    const client = new FakeParleyClient()
    const seen: Error[] = []
    const hook = await renderHook(
      () => ({ ...useParleyError(), report: useParleyContext().onError }),
      undefined,
      { client, onError: (error) => seen.push(error) },
    )
    expect(hook.result.current.error).toBeUndefined()
    const boom = new Error('boom')
    hook.result.current.report(boom)
    await flush()
    expect(hook.result.current.error).toBe(boom)
    expect(seen).toEqual([boom])
    hook.result.current.dismiss()
    await flush()
    expect(hook.result.current.error).toBeUndefined()
    await hook.unmount()
  })
})
