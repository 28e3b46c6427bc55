// A registered device for tests that push to a RemoteLog (memory or Supabase): the server binds
// a device and its client ids to the caller and refuses pushes of any other device, but never
// verifies signatures (replicas do), so random bytes stand in for the key and the signatures.
import {
  newClientUpdateId,
  type DeviceId,
  type RemoteLog,
  type RemotePushEntry,
} from '@parley/core/ports'

/** A device registered by {@link registerTestDevice}. */
export interface TestDevice {
  device: DeviceId
  /** Its (random, 32-byte) public key. */
  publicKey: Uint8Array
  /** The client ids bound to it; the first is also {@link TestDevice.clientId}. */
  clientIds: number[]
  clientId: number
  /** 64 random bytes: a stand-in signature (the server checks its length, not its value). */
  sign(): Uint8Array
  /** A push entry of `update` by this device, with a fresh `clientUpdateId` and a signature. */
  entry(update: Uint8Array): RemotePushEntry
}

/** Options of {@link registerTestDevice}. */
export interface RegisterTestDeviceOptions {
  /** The client ids to bind. Default: one random id from 1 to 2^32 − 1 (a Yjs client id). */
  clientIds?: number[]
}

const randomBytes = (length: number): Uint8Array =>
  globalThis.crypto.getRandomValues(new Uint8Array(length))

/** A random Yjs-style client id, 1 to 2^32 − 1. */
export function randomClientId(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0] || 1
}

/**
 * Registers a new device (a random UUID and key) of `log`'s user with `registerDevice` and
 * returns it with helpers to sign and build push entries.
 */
export async function registerTestDevice(
  log: RemoteLog,
  options: RegisterTestDeviceOptions = {},
): Promise<TestDevice> {
  const device = globalThis.crypto.randomUUID() as DeviceId
  const publicKey = randomBytes(32)
  const clientIds = options.clientIds ?? [randomClientId()]
  await log.registerDevice({ id: device, publicKey, clientIds })
  const sign = () => randomBytes(64)
  return {
    device,
    publicKey,
    clientIds: [...clientIds],
    clientId: clientIds[0] ?? 0,
    sign,
    entry: (update) => ({ clientUpdateId: newClientUpdateId(), update, device, signature: sign() }),
  }
}
