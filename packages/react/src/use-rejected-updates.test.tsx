// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import type { ConversationId, RejectedUpdate } from '@parley/core'
import { FakeParleyClient } from './test-support/fake-parley-client.js'
import { flush, renderHook } from './test-support/render-hook.js'
import { useRejectedUpdates } from './use-rejected-updates.js'

const refusal = (conversationId: string, reason: RejectedUpdate['reason']): RejectedUpdate => ({
  conversationId: conversationId as ConversationId,
  reason,
  detail: 'test',
  source: 'live',
})

describe('useRejectedUpdates', () => {
  it("collects one conversation's refusals as they come, and lets go on unmount", async () => {
    const client = new FakeParleyClient()
    const hook = await renderHook(() => useRejectedUpdates('c1'), undefined, { client })
    expect(hook.result.current).toEqual([])
    client.fakeRejected(refusal('c1', 'not-author'))
    client.fakeRejected(refusal('c2', 'not-owner'))
    client.fakeRejected(refusal('c1', 'bad-signature'))
    await flush()
    expect(hook.result.current.map((r) => r.reason)).toEqual(['not-author', 'bad-signature'])
    await hook.unmount()
    expect(client.activeSubscriptions).toBe(0)
  })
})
