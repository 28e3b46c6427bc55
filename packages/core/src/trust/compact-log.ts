// The trusted compactor's core (docs/TRUST.md "Snapshots and compaction"): replay a
// conversation's log from its last trusted snapshot through the rules, keep what passes, and say
// how far the result may stand for the log. Runs in the Edge Function `parley-compact`, and in
// the memory remote log of @parley/testing.
import * as Y from 'yjs'
import type { UserId } from '../ids.js'
import type { MemberRole } from '../schema.js'
import { docRoots } from '../doc-layout.js'
import { DeviceDirectory, type DirectoryDevice } from './device-directory.js'
import type { RuleViolation } from './trust-types.js'
import { UpdateGate } from './update-gate.js'

/** What the compactor reads: the last trusted snapshot, the log after it, devices and members. */
export interface CompactLogInput {
  conversationId: string
  /** The newest snapshot's state (written by the compactor, so trusted), or null. */
  base: Uint8Array | null
  /** Log rows after the snapshot, any order (they are replayed by seq). */
  rows: readonly { seq: number; update: Uint8Array; author: string; device: string | null }[]
  devices: readonly DirectoryDevice[]
  /** The server's members now: roles for owner-only changes. */
  members: readonly { user: string; role: MemberRole }[]
}

/** What the compactor writes. */
export interface CompactLogResult {
  /** The snapshot: base plus every accepted row. */
  state: Uint8Array
  /**
   * Seqs up to here are in `state` or were refused: the snapshot stands for them and the log may
   * be pruned up to here. Below `heldFrom` when a row is still waiting for its dependencies.
   */
  uptoSeq: number
  rejected: { seq: number; reason: RuleViolation; detail: string }[]
  /** The smallest seq that could not be judged yet (dependencies not in the log), or null. */
  heldFrom: number | null
}

/** Replays a log through the rules. Pure: same input, same output. */
export function compactLog(input: CompactLogInput): CompactLogResult {
  const doc = new Y.Doc({ gc: true })
  docRoots(doc)
  if (input.base !== null) Y.applyUpdate(doc, input.base)
  const directory = new DeviceDirectory(input.devices)
  const roles = new Map(input.members.map((m) => [m.user, m.role]))
  const rejected: CompactLogResult['rejected'] = []
  const gate = new UpdateGate<number>(doc, directory, {
    apply: (update) => Y.applyUpdate(doc, update),
    rejected: (seq, reason, detail) => rejected.push({ seq, reason, detail }),
    maxHeld: Number.POSITIVE_INFINITY,
  })
  const rows = [...input.rows].sort((a, b) => a.seq - b.seq)
  for (const row of rows) {
    const author = row.author as UserId
    const sender =
      row.device === null ? undefined : directory.sender(row.device, author, roles.get(author))
    if (sender === undefined) {
      rejected.push({ seq: row.seq, reason: 'unknown-device', detail: `device ${row.device}` })
      continue
    }
    gate.admit(row.update, sender, row.seq)
  }
  const held = gate.heldTags()
  const heldFrom = held.length === 0 ? null : Math.min(...held)
  const last = rows.at(-1)?.seq ?? 0
  rejected.sort((a, b) => a.seq - b.seq)
  return {
    state: Y.encodeStateAsUpdate(doc),
    uptoSeq: heldFrom === null ? last : heldFrom - 1,
    rejected,
    heldFrom,
  }
}
