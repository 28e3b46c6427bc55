// This device's signing identity (docs/TRUST.md "Devices"): an Ed25519 key pair made once per
// profile and kept in the storage adapter's kv (the private key as a non-extractable CryptoKey),
// and the Yjs client ids bound to the device. Each engine run takes a client id no earlier run
// used, so a crash between a live broadcast and the local commit can never make two different
// structs under one id; ids are drawn in blocks and registered with the server before a push.
import type { ConversationId, DeviceId } from '../ids.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import { createDeviceKeyPair, signUpdate, type DeviceCryptoKey } from '../trust/signed-update.js'

/** The kv key of the stored identity. */
export const DEVICE_KEY_KV = 'parley:device-key'
/** Client ids drawn at a time. */
const BLOCK = 16

interface StoredDeviceKey {
  v: 1
  privateKey: DeviceCryptoKey
  publicKey: Uint8Array
  /** Every client id of the device, oldest first. */
  clientIds: number[]
  /** How many of `clientIds` runs have taken. */
  used: number
  /** How many of `clientIds` (from the start) the server has bound. */
  registered: number
}

/** Signs this device's updates; knows its client ids and which the server has yet to bind. */
export class DeviceSigner {
  readonly device: DeviceId
  /** The client id of this run: every local change is made under it. */
  readonly clientId: number
  readonly publicKey: Uint8Array
  readonly #storage: StorageAdapter
  readonly #stored: StoredDeviceKey

  private constructor(device: DeviceId, storage: StorageAdapter, stored: StoredDeviceKey) {
    this.device = device
    this.#storage = storage
    this.#stored = stored
    this.publicKey = stored.publicKey
    this.clientId = stored.clientIds[stored.used - 1]!
  }

  /**
   * Loads (or creates) the device's key and takes this run's client id, durably, before any
   * change can be made under it.
   */
  static async open(storage: StorageAdapter, device: DeviceId): Promise<DeviceSigner> {
    let stored = (await storage.kvGet(DEVICE_KEY_KV)) as StoredDeviceKey | undefined
    if (stored === undefined || stored.v !== 1) {
      const pair = await createDeviceKeyPair()
      stored = { v: 1, ...pair, clientIds: [], used: 0, registered: 0 }
    }
    if (stored.used >= stored.clientIds.length) stored.clientIds.push(...randomClientIds(BLOCK))
    stored.used++
    await storage.kvPut(DEVICE_KEY_KV, stored)
    return new DeviceSigner(device, storage, stored)
  }

  /** Every client id of the device (what replicas may see its updates under). */
  get clientIds(): readonly number[] {
    return this.#stored.clientIds
  }

  /** Client ids the server has not bound yet (register them before pushing). */
  get unregistered(): readonly number[] {
    return this.#stored.clientIds.slice(this.#stored.registered)
  }

  /** The server bound every client id up to now. */
  async registered(): Promise<void> {
    this.#stored.registered = this.#stored.clientIds.length
    await this.#storage.kvPut(DEVICE_KEY_KV, this.#stored)
  }

  /** The device's signature over `update` of `conversationId`. */
  sign(conversationId: ConversationId, update: Uint8Array): Promise<Uint8Array> {
    return signUpdate(this.#stored.privateKey, conversationId, update)
  }
}

/** Random client ids in [2^32, 2^53): above Yjs's own random ids, so never one of theirs. */
function randomClientIds(count: number): number[] {
  const words = new Uint32Array(count * 2)
  globalThis.crypto.getRandomValues(words)
  const ids: number[] = []
  for (let k = 0; k < count; k++) {
    const high = words[2 * k]! & 0x1fffff // 21 bits
    ids.push(Math.max(1, high) * 2 ** 32 + words[2 * k + 1]!)
  }
  return ids
}
