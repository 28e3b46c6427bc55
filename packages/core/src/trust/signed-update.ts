// Device signatures over updates (docs/TRUST.md "Signed updates"): Ed25519 through WebCrypto,
// available in browsers, workers and Node. What is signed binds the update to its conversation,
// so a signed update cannot be replayed into another one.
import type { ConversationId } from '../ids.js'

/** WebCrypto's key object (core compiles without the DOM library, so it is named by the API). */
export type DeviceCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

const DOMAIN = new TextEncoder().encode('parley-update/1\0')
const encoder = new TextEncoder()

/** Length of an Ed25519 signature and of a raw public key. */
export const SIGNATURE_BYTES = 64
export const PUBLIC_KEY_BYTES = 32

/** The bytes a device signs for `update` of `conversationId`. */
export function signedUpdateBytes(conversationId: ConversationId, update: Uint8Array): Uint8Array {
  const id = encoder.encode(`${conversationId}\0`)
  const out = new Uint8Array(DOMAIN.length + id.length + update.length)
  out.set(DOMAIN, 0)
  out.set(id, DOMAIN.length)
  out.set(update, DOMAIN.length + id.length)
  return out
}

/** A device's key pair: the private key never leaves WebCrypto (non-extractable). */
export interface DeviceKeyPair {
  readonly privateKey: DeviceCryptoKey
  /** Raw public key, {@link PUBLIC_KEY_BYTES} bytes. */
  readonly publicKey: Uint8Array
}

/** Makes a new device key pair. */
export async function createDeviceKeyPair(): Promise<DeviceKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
    'sign',
    'verify',
  ])) as { privateKey: DeviceCryptoKey; publicKey: DeviceCryptoKey }
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return { privateKey: pair.privateKey, publicKey: raw }
}

/** Signs `update` of `conversationId` with a device's private key. */
export async function signUpdate(
  privateKey: DeviceCryptoKey,
  conversationId: ConversationId,
  update: Uint8Array,
): Promise<Uint8Array> {
  const bytes = signedUpdateBytes(conversationId, update)
  return new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, bytes))
}

/** Imports a raw public key for verification; rejects a key that is not 32 bytes. */
export async function importDevicePublicKey(raw: Uint8Array): Promise<DeviceCryptoKey> {
  if (raw.length !== PUBLIC_KEY_BYTES) throw new TypeError('an Ed25519 public key is 32 bytes')
  return crypto.subtle.importKey('raw', raw, 'Ed25519', false, ['verify'])
}

/** Whether `signature` is the device's signature over `update` of `conversationId`. */
export async function verifyUpdate(
  publicKey: DeviceCryptoKey,
  conversationId: ConversationId,
  update: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== SIGNATURE_BYTES) return false
  const bytes = signedUpdateBytes(conversationId, update)
  try {
    return await crypto.subtle.verify('Ed25519', publicKey, signature, bytes)
  } catch {
    return false
  }
}
