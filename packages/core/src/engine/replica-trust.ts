// The engine's side of trust (docs/TRUST.md): what it knows from the server about a
// conversation's devices and members, and the gate every update from another device passes —
// live (signature verified first) or from the log (the server's author and device) — before it
// is applied. It owns the device directories, the member roles, the imported public keys and one
// UpdateGate per hot session; it reports refusals and never applies anything itself.
import * as Y from 'yjs'
import type { ConversationId, DeviceId, UserId } from '../ids.js'
import type { RemoteLog, RemoteUpdate } from '../ports/remote-log.js'
import type { UpdateMessage } from '../ports/transport-messages.js'
import type { MemberRole } from '../schema.js'
import { DeviceDirectory } from '../trust/device-directory.js'
import {
  importDevicePublicKey,
  verifyUpdate,
  type DeviceCryptoKey,
} from '../trust/signed-update.js'
import type { RuleViolation } from '../trust/trust-types.js'
import { UpdateGate } from '../trust/update-gate.js'
import type { ConversationSession } from './conversation-session.js'
import type { DeviceSigner } from './device-signer.js'

/** An update from another device that was refused (engine event `rejected`). */
export interface RejectedUpdate {
  conversationId: ConversationId
  reason: RuleViolation
  detail: string
  /** Where it came from: a live broadcast or the server's log (`seq`). */
  source: 'live' | 'log'
  seq?: number
  /** The sending user and device, as far as they are known. */
  user?: UserId
  device?: DeviceId
}

/** Identifies an update inside a gate. */
interface Tag {
  source: 'live' | 'log'
  seq?: number
  peer?: string
  device?: DeviceId
}

/** What the trust needs from the rest of the engine. */
export interface ReplicaTrustPorts {
  remote: RemoteLog
  signer: DeviceSigner
  user: UserId
  /** Applies an accepted update to the session's document and queues it for storage. */
  apply(session: ConversationSession, update: Uint8Array, from: 'server' | string): void
  /** The server's member list of a conversation was (re)loaded. */
  membersLoaded(id: ConversationId, members: readonly UserId[]): void
  rejected(event: RejectedUpdate): void
  wallClock: () => number
}

/** Devices and members are fetched again at most this often when something is not known. */
const REFRESH_MS = 2000

/** See the header. One per engine with a server. */
export class ReplicaTrust {
  readonly #ports: ReplicaTrustPorts
  readonly #directories = new Map<ConversationId, DeviceDirectory>()
  readonly #roles = new Map<ConversationId, Map<UserId, MemberRole>>()
  readonly #loading = new Map<ConversationId, Promise<void>>()
  readonly #loadedAt = new Map<ConversationId, number>()
  readonly #keys = new Map<string, Promise<DeviceCryptoKey | undefined>>()
  /** Devices looked up once already without being found. */
  readonly #missed = new Set<string>()
  readonly #gates = new WeakMap<ConversationSession, UpdateGate<Tag>>()

  constructor(ports: ReplicaTrustPorts) {
    this.#ports = ports
  }

  /** The server's membership changed: read it (and the devices) again at the next need. */
  membersChanged(id: ConversationId): void {
    this.#loadedAt.delete(id)
    this.#roles.delete(id)
  }

  /** Forgets a conversation (left). */
  forget(id: ConversationId): void {
    this.#directories.delete(id)
    this.#roles.delete(id)
    this.#loadedAt.delete(id)
  }

  /** Judges a live update (signature, sender, rules); resolves whether it was applied. */
  async admitLive(session: ConversationSession, message: UpdateMessage): Promise<boolean> {
    const id = session.id
    const { device, signature, update } = message
    const refuse = (reason: RuleViolation, detail: string, user?: UserId): false => {
      this.#ports.rejected({
        conversationId: id,
        reason,
        detail,
        source: 'live',
        ...(user !== undefined ? { user } : {}),
        ...(device !== undefined ? { device } : {}),
      })
      return false
    }
    if (device === undefined || signature === undefined) {
      return refuse('bad-signature', 'an unsigned update on a signed transport')
    }
    await this.#known(id, device)
    const directory = this.#directory(id)
    const user = directory.userOf(device)
    // Not attributable: dropped without a report (a new member's first broadcasts can come before
    // the server lists their device; the log brings those updates with the server's word).
    if (user === undefined) return false
    const key = await this.#key(device)
    if (key === undefined || !(await verifyUpdate(key, id, update, signature))) {
      return refuse('bad-signature', `update signed as device ${device}`, user)
    }
    if (this.#hasUnknownClient(id, update)) await this.#refreshIfStale(id)
    const role = this.#roles.get(id)?.get(user)
    if (role === undefined) return refuse('not-member', `user ${user} is not a member`, user)
    const sender = directory.sender(device, user, role)!
    const tag: Tag = { source: 'live', peer: message.from, device }
    return this.#gate(session).admit(update, sender, tag) === 'applied'
  }

  /**
   * Judges a page of log rows (the server vouches for each row's author and device) and applies
   * what passes. Resolves with the highest seq the sync cursor may move to: below the first row
   * still waiting for its dependencies, so a restart pulls it again.
   */
  async admitLog(session: ConversationSession, rows: readonly RemoteUpdate[]): Promise<number> {
    const id = session.id
    // The server vouches for every device in its log: one it does not know yet is read at once.
    for (const row of rows) if (row.device !== null) await this.#known(id, row.device, true)
    // A device registers client ids in blocks: a new block is learned by reading devices again.
    if (rows.some((row) => this.#hasUnknownClient(id, row.update))) await this.#load(id, true)
    const directory = this.#directory(id)
    const roles = this.#roles.get(id)
    const gate = this.#gate(session)
    for (const row of rows) {
      const sender =
        row.device === null
          ? undefined
          : directory.sender(row.device, row.author, roles?.get(row.author))
      if (sender === undefined) {
        this.#ports.rejected({
          conversationId: id,
          reason: 'unknown-device',
          detail: `device ${row.device} of ${row.author}`,
          source: 'log',
          seq: row.seq,
          user: row.author,
          ...(row.device !== null ? { device: row.device } : {}),
        })
        continue
      }
      gate.admit(row.update, sender, { source: 'log', seq: row.seq, device: row.device! })
    }
    let limit = Number.POSITIVE_INFINITY
    for (const tag of gate.heldTags()) {
      if (tag.source === 'log' && tag.seq !== undefined) limit = Math.min(limit, tag.seq - 1)
    }
    return limit
  }

  /** Whether `update` has structs under a client id no known device holds. */
  #hasUnknownClient(id: ConversationId, update: Uint8Array): boolean {
    const directory = this.#directory(id)
    try {
      for (const client of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)).keys()) {
        if (directory.userOfClient(client) === undefined) return true
      }
    } catch {
      // Malformed: the rules will say so.
    }
    return false
  }

  /** Reads devices and members now (once at a time). */
  load(id: ConversationId): Promise<void> {
    return this.#load(id)
  }

  /** Makes sure devices and members are loaded, and that `device` is known if the server knows it. */
  async #known(id: ConversationId, device: DeviceId, force = false): Promise<void> {
    if (!this.#loadedAt.has(id)) await this.#load(id)
    else if (this.#directory(id).has(device)) return
    // A device seen for the first time (a member's new one) is looked up at once; repeats of an
    // unknown one (an attacker's made-up ids) only as often as REFRESH_MS allows.
    else if (force || !this.#missed.has(device)) {
      this.#missed.add(device)
      await this.#load(id, true)
    } else await this.#refreshIfStale(id)
  }

  /** Reads devices and members again unless that was done in the last {@link REFRESH_MS}. */
  async #refreshIfStale(id: ConversationId): Promise<void> {
    const age = this.#ports.wallClock() - (this.#loadedAt.get(id) ?? 0)
    if (age >= REFRESH_MS) await this.#load(id)
  }

  /** Reads devices and members; `fresh`: one started after now (a running one may be stale). */
  #load(id: ConversationId, fresh = false): Promise<void> {
    const running = this.#loading.get(id)
    if (running !== undefined) {
      return fresh ? running.catch(() => undefined).then(() => this.#load(id)) : running
    }
    const { remote } = this.#ports
    const loading = Promise.all([remote.conversationDevices(id), remote.members(id)])
      .then(([devices, members]) => {
        this.#directory(id).add(devices)
        this.#roles.set(id, new Map(members.map((m) => [m.user, m.role])))
        this.#loadedAt.set(id, this.#ports.wallClock())
        this.#ports.membersLoaded(
          id,
          members.map((m) => m.user),
        )
        for (const d of devices) {
          if (!this.#keys.has(d.id)) this.#keys.set(d.id, importKey(d.publicKey))
        }
      })
      .finally(() => this.#loading.delete(id))
    this.#loading.set(id, loading)
    return loading
  }

  #directory(id: ConversationId): DeviceDirectory {
    let directory = this.#directories.get(id)
    if (directory === undefined) {
      const { signer, user } = this.#ports
      directory = new DeviceDirectory([{ id: signer.device, user, clientIds: signer.clientIds }])
      this.#directories.set(id, directory)
    }
    return directory
  }

  #key(device: DeviceId): Promise<DeviceCryptoKey | undefined> {
    return this.#keys.get(device) ?? Promise.resolve(undefined)
  }

  #gate(session: ConversationSession): UpdateGate<Tag> {
    let gate = this.#gates.get(session)
    if (gate === undefined) {
      gate = new UpdateGate<Tag>(session.doc.ydoc, this.#directory(session.id), {
        apply: (update, _sender, tag) =>
          this.#ports.apply(
            session,
            update,
            tag.source === 'log' ? 'server' : (tag.peer ?? 'peer'),
          ),
        rejected: (tag, reason, detail, sender) =>
          this.#ports.rejected({
            conversationId: session.id,
            reason,
            detail,
            source: tag.source,
            user: sender.user,
            ...(tag.seq !== undefined ? { seq: tag.seq } : {}),
            ...(tag.device !== undefined ? { device: tag.device } : {}),
          }),
      })
      this.#gates.set(session, gate)
    }
    return gate
  }
}

function importKey(raw: Uint8Array): Promise<DeviceCryptoKey | undefined> {
  return importDevicePublicKey(raw).catch(() => undefined)
}
