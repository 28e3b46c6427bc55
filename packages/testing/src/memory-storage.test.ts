import { describe, expect, it } from 'vitest'
import { asConversationId, isStorageError } from '@parley/core/ports'
import { runStorageAdapterContract } from './contracts/storage-adapter-contract.js'
import {
  createMemoryStorage,
  createMemoryStorageData,
  type MemoryStorage,
} from './memory-storage.js'

runStorageAdapterContract(
  'memory',
  () => {
    const data = createMemoryStorageData()
    return { open: () => Promise.resolve(createMemoryStorage({ data })) }
  },
  {
    injectQuotaExceeded: (adapter) => {
      const memory = adapter as MemoryStorage
      memory.failNext({ code: 'quota-exceeded', times: Number.POSITIVE_INFINITY })
      return () => memory.clearFaults()
    },
  },
)

const A = asConversationId('a')

describe('createMemoryStorage test controls', () => {
  it('fails only the named operation, the given number of times', async () => {
    const storage = createMemoryStorage()
    storage.failNext({ code: 'connection-lost', operation: 'commit', times: 2 })
    await storage.kvPut('k', 1)
    for (let i = 0; i < 2; i++) {
      const error: unknown = await storage
        .commit([{ conversationId: A, tail: 1 }])
        .catch((e: unknown) => e)
      expect(isStorageError(error) && error.code).toBe('connection-lost')
      expect(isStorageError(error) && error.operation).toBe('commit')
    }
    await storage.commit([{ conversationId: A, tail: 2 }])
    expect(await storage.getTail(A)).toBe(2)
  })

  it('simulates a version change: error event, then closed', async () => {
    const storage = createMemoryStorage()
    const seen: string[] = []
    storage.on('error', ({ error }) => seen.push(`error:${error.code}`))
    const off = storage.on('closed', ({ error }) => seen.push(`closed:${error?.code ?? ''}`))
    storage.simulateFailure('version-change')
    off()
    await storage.close()
    expect(seen).toEqual(['error:version-change', 'closed:version-change'])
    expect(storage.closed).toBe(true)
  })

  it('uses the injected clock and id factory for the device', async () => {
    const storage = createMemoryStorage({ now: () => 42, createDeviceId: () => 'device-1' })
    expect(await storage.getOrCreateDevice()).toEqual({ deviceId: 'device-1', createdAt: 42 })
  })
})
