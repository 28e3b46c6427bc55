// Receipts and membership: per-device delivered/read cursors folded into one cursor per user,
// and the member set the group rule ("every other member") runs over.
import type { DeviceId, HlcStamp, UserId } from './ids.js'
import type { MemberView, ReceiptView } from './message-view.js'
import type { MemberRecord, ReceiptRecord } from './schema.js'

interface UserCursors {
  delivered: HlcStamp | undefined
  read: HlcStamp | undefined
}

/** The least cursors over a set of users; `undefined` when some user has none. */
interface GroupCursors {
  readonly delivered: HlcStamp | undefined
  readonly read: HlcStamp | undefined
  readonly empty: boolean
}

function max(a: HlcStamp | undefined, b: HlcStamp | undefined): HlcStamp | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return a >= b ? a : b
}

/** Receipt cursors and members of one conversation. */
export class ReceiptStore {
  readonly #devices = new Map<UserId, Map<DeviceId, ReceiptRecord>>()
  readonly #cursors = new Map<UserId, UserCursors>()
  readonly #members = new Map<UserId, MemberRecord>()
  #external: ReadonlySet<UserId> | undefined
  /** Least cursors of "everyone but this author", cached until receipts or members change. */
  readonly #groupCache = new Map<UserId, GroupCursors>()

  /** A device's receipt record changed (`undefined`: removed or invalid). */
  setReceipt(user: UserId, device: DeviceId, record: ReceiptRecord | undefined): void {
    let devices = this.#devices.get(user)
    if (record === undefined) devices?.delete(device)
    else {
      if (devices === undefined) this.#devices.set(user, (devices = new Map()))
      devices.set(device, record)
    }
    let delivered: HlcStamp | undefined
    let read: HlcStamp | undefined
    for (const r of devices?.values() ?? []) {
      // Reading a message implies it was delivered.
      delivered = max(delivered, max(r.delivered, r.read))
      read = max(read, r.read)
    }
    if (delivered === undefined && read === undefined) this.#cursors.delete(user)
    else this.#cursors.set(user, { delivered, read })
    this.#groupCache.clear()
  }

  /** The receipt record a device wrote, if any. */
  deviceReceipt(user: UserId, device: DeviceId): ReceiptRecord | undefined {
    return this.#devices.get(user)?.get(device)
  }

  /** A member record changed (`undefined`: removed or invalid). */
  setMember(user: UserId, record: MemberRecord | undefined): void {
    if (record === undefined) this.#members.delete(user)
    else this.#members.set(user, record)
    this.#groupCache.clear()
  }

  /** Replaces the member set from outside the document (e.g. the server); `undefined` to unset. */
  setExternalMembers(members: Iterable<UserId> | undefined): void {
    this.#external = members === undefined ? undefined : new Set(members)
    this.#groupCache.clear()
  }

  /** The members the group rule uses: the external set if given, else the document's members. */
  memberIds(): UserId[] {
    return [...(this.#external ?? this.#members.keys())].sort()
  }

  /** Members recorded in the document, sorted by user id. */
  members(): MemberView[] {
    return [...this.#members.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([user, r]) =>
        Object.freeze({
          user,
          role: r.role,
          addedBy: r.addedBy,
          addedAt: r.addedAt,
          ...(r.name !== undefined ? { name: r.name } : {}),
        }),
      )
  }

  /** A user's cursors (max over their devices). */
  cursors(user: UserId): ReceiptView {
    const c = this.#cursors.get(user)
    return Object.freeze({
      user,
      ...(c?.delivered !== undefined ? { delivered: c.delivered } : {}),
      ...(c?.read !== undefined ? { read: c.read } : {}),
    })
  }

  /** Cursors of every user who wrote a receipt, sorted by user id. */
  receipts(): ReceiptView[] {
    return [...this.#cursors.keys()].sort().map((user) => this.cursors(user))
  }

  /** The read cursor of `user`, if any. */
  readCursor(user: UserId): HlcStamp | undefined {
    return this.#cursors.get(user)?.read
  }

  /**
   * The least delivered and read cursors over every member except `author`; `empty` when there
   * is no other member.
   */
  othersOf(author: UserId): GroupCursors {
    const cached = this.#groupCache.get(author)
    if (cached !== undefined) return cached
    let delivered: HlcStamp | undefined
    let read: HlcStamp | undefined
    let first = true
    let missingDelivered = false
    let missingRead = false
    for (const user of this.#external ?? this.#members.keys()) {
      if (user === author) continue
      const c = this.#cursors.get(user)
      if (c?.delivered === undefined) missingDelivered = true
      else if (first || delivered === undefined || c.delivered < delivered) delivered = c.delivered
      if (c?.read === undefined) missingRead = true
      else if (first || read === undefined || c.read < read) read = c.read
      first = false
    }
    const result: GroupCursors = {
      delivered: missingDelivered ? undefined : delivered,
      read: missingRead ? undefined : read,
      empty: first,
    }
    this.#groupCache.set(author, result)
    return result
  }
}
