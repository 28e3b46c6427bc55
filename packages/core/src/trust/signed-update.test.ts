// Device signatures: a signature verifies only for its own conversation and bytes.
import { describe, expect, it } from 'vitest'
import type { ConversationId } from '../ids.js'
import {
  createDeviceKeyPair,
  importDevicePublicKey,
  signUpdate,
  verifyUpdate,
} from './signed-update.js'

const a = 'conversation-a' as ConversationId
const b = 'conversation-b' as ConversationId

describe('signed updates', () => {
  it('verify for the conversation and bytes signed, and for nothing else', async () => {
    const keys = await createDeviceKeyPair()
    const other = await createDeviceKeyPair()
    const update = new Uint8Array([1, 2, 3, 4])
    const signature = await signUpdate(keys.privateKey, a, update)
    const key = await importDevicePublicKey(keys.publicKey)
    expect(signature).toHaveLength(64)
    expect(await verifyUpdate(key, a, update, signature)).toBe(true)
    expect(await verifyUpdate(key, b, update, signature)).toBe(false)
    expect(await verifyUpdate(key, a, new Uint8Array([1, 2, 3, 5]), signature)).toBe(false)
    expect(
      await verifyUpdate(await importDevicePublicKey(other.publicKey), a, update, signature),
    ).toBe(false)
    expect(await verifyUpdate(key, a, update, signature.slice(0, 63))).toBe(false)
  })

  it('keeps the private key non-extractable', async () => {
    const keys = await createDeviceKeyPair()
    expect(keys.privateKey.extractable).toBe(false)
    await expect(importDevicePublicKey(new Uint8Array(31))).rejects.toThrow(TypeError)
  })
})
