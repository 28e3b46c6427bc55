// The device half of the memory server (docs/TRUST.md): registering devices and their Yjs client
// ids, and telling members which devices may have written a conversation. The rules of
// `register_device`: a client id belongs to one device project-wide and forever, a device to
// one user with one key, at most 64 ids per call and 4096 per device; a repeat is a no-op.
import { isUuid, isValidId } from '@parley/core/ports'
import type { DeviceId, RemoteDevice, RemoteDeviceRegistration, UserId } from '@parley/core/ports'
import { failRemoteLog } from './fail-remote-log.js'
import type { StoredConversation } from './memory-remote-conversation.js'
import { requireMember } from './memory-remote-log-server-state.js'
import type { MemoryRemoteLogServerState, StoredDevice } from './memory-remote-log-server-state.js'

/** Most client ids in one `registerDevice` call. */
const MAX_IDS_PER_CALL = 64
/** Most client ids bound to one device. */
const MAX_IDS_PER_DEVICE = 4096
/** Bytes of a raw Ed25519 public key. */
const PUBLIC_KEY_BYTES = 32

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.byteLength === b.byteLength && a.every((value, i) => value === b[i])

const copyDevice = (d: StoredDevice): RemoteDevice => ({
  id: d.id,
  user: d.user,
  publicKey: d.publicKey.slice(),
  clientIds: [...d.clientIds],
})

/** Whether `id` is a device id the server accepts (a UUID when the server requires them). */
export function isMemoryDeviceId(state: MemoryRemoteLogServerState, id: unknown): id is DeviceId {
  return isValidId(id) && id.length <= 64 && (state.options.requireUuidIds !== true || isUuid(id))
}

/**
 * The devices a replica may meet in `conversation`: those of its current members and every
 * device that wrote a row still in its log, ordered by user then id (copies).
 */
export function devicesOfConversation(
  state: MemoryRemoteLogServerState,
  conversation: StoredConversation,
): RemoteDevice[] {
  const writers = new Set<string>(conversation.updates.map((u) => u.device))
  return [...state.registeredDevices.values()]
    .filter((d) => conversation.members.has(d.user) || writers.has(d.id))
    .sort((a, b) =>
      a.user !== b.user ? (a.user < b.user ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    )
    .map(copyDevice)
}

/** The device handlers of a memory server, see {@link createMemoryDeviceHandlers}. */
export type MemoryDeviceHandlers = ReturnType<typeof createMemoryDeviceHandlers>

/** The server-side work of `registerDevice` and `conversationDevices`, for the calling `userId`. */
export function createMemoryDeviceHandlers(state: MemoryRemoteLogServerState) {
  return {
    registerDevice(userId: UserId, registration: RemoteDeviceRegistration): void {
      const op = 'registerDevice'
      const { id, publicKey, clientIds } = (registration ?? {}) as Partial<RemoteDeviceRegistration>
      if (!isMemoryDeviceId(state, id))
        failRemoteLog('invalid', 'malformed device id', op, 'PARLEY_INVALID_ARGUMENT', {
          argument: 'p_device_id',
        })
      if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== PUBLIC_KEY_BYTES)
        failRemoteLog(
          'invalid',
          'the public key must be a raw Ed25519 key (32 bytes)',
          op,
          'PARLEY_INVALID_ARGUMENT',
          { argument: 'p_public_key' },
        )
      if (!Array.isArray(clientIds) || clientIds.length === 0)
        failRemoteLog('invalid', 'client ids must not be empty', op, 'PARLEY_INVALID_ARGUMENT', {
          argument: 'p_client_ids',
        })
      if (clientIds.length > MAX_IDS_PER_CALL)
        failRemoteLog(
          'invalid',
          `more than ${MAX_IDS_PER_CALL} client ids in one call`,
          op,
          'PARLEY_INVALID_ARGUMENT',
          { argument: 'p_client_ids', count: clientIds.length, limit: MAX_IDS_PER_CALL },
        )
      if (!clientIds.every((c) => Number.isSafeInteger(c) && c >= 1))
        failRemoteLog(
          'invalid',
          'client ids must be between 1 and 2^53 - 1',
          op,
          'PARLEY_INVALID_ARGUMENT',
          { argument: 'p_client_ids' },
        )
      const existing = state.registeredDevices.get(id)
      if (existing && (existing.user !== userId || !equalBytes(existing.publicKey, publicKey)))
        failRemoteLog(
          'conflict',
          'this device id is registered to another user or with another key',
          op,
          'PARLEY_DEVICE_TAKEN',
          { deviceId: id },
        )
      const fresh = [...new Set(clientIds)].sort((a, b) => a - b)
      const taken = fresh.find((c) => {
        const owner = state.clientIdOwners.get(c)
        return owner !== undefined && owner !== id
      })
      if (taken !== undefined)
        failRemoteLog(
          'conflict',
          'a client id is bound to another device',
          op,
          'PARLEY_CLIENT_ID_TAKEN',
          { clientId: taken },
        )
      const added = fresh.filter((c) => !state.clientIdOwners.has(c))
      const count = (existing?.clientIds.length ?? 0) + added.length
      if (count > MAX_IDS_PER_DEVICE)
        failRemoteLog(
          'invalid',
          `a device may have at most ${MAX_IDS_PER_DEVICE} client ids`,
          op,
          'PARLEY_TOO_MANY_CLIENT_IDS',
          { count, limit: MAX_IDS_PER_DEVICE },
        )
      const device = existing ?? { id, user: userId, publicKey: publicKey.slice(), clientIds: [] }
      for (const c of added) state.clientIdOwners.set(c, id)
      device.clientIds = [...device.clientIds, ...added].sort((a, b) => a - b)
      state.registeredDevices.set(id, device)
    },

    conversationDevices(userId: UserId, id: unknown): RemoteDevice[] {
      return devicesOfConversation(state, requireMember(state, userId, id, 'conversationDevices'))
    },
  }
}
