// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { FakeParleyClient } from './test-support/fake-parley-client.js'
import { flush, renderHook } from './test-support/render-hook.js'
import { useSyncStatus } from './use-sync-status.js'

describe('useSyncStatus', () => {
  it('follows the sync status live', async () => {
    const client = new FakeParleyClient()
    const hook = await renderHook(() => useSyncStatus(), undefined, { client })
    expect(hook.result.current.loading).toBe(false)
    expect(hook.result.current.status?.state).toBe('online')

    client.fakeSyncStatus({ state: 'offline', pending: 3 })
    await flush()
    expect(hook.result.current.status).toMatchObject({ state: 'offline', pending: 3, failed: 0 })

    client.fakeSyncStatus({ state: 'syncing', lastSyncedAt: { c1: 42 } })
    await flush()
    expect(hook.result.current.status?.lastSyncedAt).toEqual({ c1: 42 })
    await hook.unmount()
    expect(client.activeSubscriptions).toBe(0)
  })

  it('reports a failed read', async () => {
    const client = new FakeParleyClient()
    client.listError = new Error('worker gone')
    const hook = await renderHook(() => useSyncStatus(), undefined, { client })
    expect(hook.result.current).toMatchObject({ status: undefined, loading: false })
    expect(hook.result.current.error?.message).toBe('worker gone')
  })
})
