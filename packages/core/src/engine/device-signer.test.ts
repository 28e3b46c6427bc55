// The device's signing identity across engine runs: one key pair forever, a new client id each
// run, and ids to register until the server has bound them.
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '@parley/testing'
import type { DeviceId } from '../ids.js'
import { DeviceSigner } from './device-signer.js'

const device = '00000000-0000-4000-8000-000000000001' as DeviceId

describe('DeviceSigner', () => {
  it('keeps its key and takes a client id no earlier run took', async () => {
    const storage = createMemoryStorage()
    const first = await DeviceSigner.open(storage, device)
    const second = await DeviceSigner.open(storage, device)
    expect(second.publicKey).toEqual(first.publicKey)
    expect(second.clientId).not.toBe(first.clientId)
    expect(second.clientIds).toContain(first.clientId)
    expect(first.clientId).toBeGreaterThanOrEqual(2 ** 32)
    expect(Number.isSafeInteger(first.clientId)).toBe(true)
  })

  it('lists client ids to register until the server bound them, and draws a new block when used up', async () => {
    const storage = createMemoryStorage()
    const signer = await DeviceSigner.open(storage, device)
    expect(signer.unregistered).toEqual(signer.clientIds)
    await signer.registered()
    expect(signer.unregistered).toEqual([])
    let last = signer
    for (let k = 0; k < 16; k++) last = await DeviceSigner.open(storage, device)
    expect(last.clientIds).toHaveLength(32)
    expect(last.unregistered).toHaveLength(16)
    expect(last.unregistered).toContain(last.clientId)
  })
})
