// A TrustDirectory built from the server's device list (`conversation_devices`), and the sender
// of a log row or a verified live update under it.
import type { DeviceId, UserId } from '../ids.js'
import type { MemberRole } from '../schema.js'
import type { TrustDirectory, UpdateSender } from './trust-types.js'

/** A device as the rules need it: whose it is and its client ids. */
export interface DirectoryDevice {
  readonly id: DeviceId | string
  readonly user: UserId | string
  readonly clientIds: readonly number[]
}

/** Devices and their client ids, with lookups both ways. */
export class DeviceDirectory implements TrustDirectory {
  readonly #devices = new Map<string, { user: UserId; clients: Set<number> }>()
  readonly #clients = new Map<number, UserId>()

  constructor(devices: readonly DirectoryDevice[] = []) {
    this.add(devices)
  }

  /** Learns devices (bindings never change, so a device seen again only adds client ids). */
  add(devices: readonly DirectoryDevice[]): void {
    for (const d of devices) {
      const user = d.user as UserId
      let known = this.#devices.get(d.id)
      if (known === undefined) this.#devices.set(d.id, (known = { user, clients: new Set() }))
      if (known.user !== user) continue
      for (const c of d.clientIds) {
        if (this.#clients.has(c)) continue
        known.clients.add(c)
        this.#clients.set(c, user)
      }
    }
  }

  /** Whether the directory knows `device`. */
  has(device: string): boolean {
    return this.#devices.has(device)
  }

  /** The user of `device`, or `undefined` when unknown. */
  userOf(device: string): UserId | undefined {
    return this.#devices.get(device)?.user
  }

  userOfClient(clientId: number): UserId | undefined {
    return this.#clients.get(clientId)
  }

  /**
   * The sender of an update made with `device` by `user` (as the server or a signature says), or
   * `undefined` when the device is unknown or is not that user's.
   */
  sender(device: string, user: UserId, role: MemberRole | undefined): UpdateSender | undefined {
    const known = this.#devices.get(device)
    if (known === undefined || known.user !== user) return undefined
    const clients = known.clients
    return { user, role, ownsClient: (clientId) => clients.has(clientId) }
  }
}
