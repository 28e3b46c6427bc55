// The message side of the view: the valid records of the document, indexed by id and kept in
// conversation order. It is fed record by record while a Yjs transaction is observed and
// `commit()`ed once at its end, which updates the order and says which messages changed. The
// view is a function of the document's current state alone, so replicas with the same state show
// the same thing whatever order the updates arrived in.
import type { HlcStamp, MessageId, UserId, DeviceId } from './ids.js'
import type { MessageStatus, MessageView, AttachmentView } from './message-view.js'
import type {
  AttachmentRecord,
  EditRecord,
  MessageRecord,
  RejectReason,
  TombstoneRecord,
} from './schema.js'
import { SortedAnchors, compareAnchors } from './sorted-anchors.js'

/** What the order holds for a visible message: its record, or its tombstone once deleted. */
export type MessageAnchor = MessageRecord | TombstoneRecord

/** A rejection found while committing, reported by the caller with its origin. */
export interface StoreRejection {
  readonly kind: 'edit' | 'tombstone' | 'message'
  readonly key: string
  readonly reason: RejectReason
}

/** Ids whose view changed in one commit. */
export interface MessageChanges {
  readonly added: MessageId[]
  readonly updated: MessageId[]
  readonly removed: MessageId[]
}

const EMPTY_REACTIONS: Readonly<Record<string, readonly UserId[]>> = Object.freeze({})
const NO_ATTACHMENTS: readonly AttachmentView[] = Object.freeze([])

/** Whether an anchor is a tombstone (the message was deleted). */
export function isTombstone(anchor: MessageAnchor): anchor is TombstoneRecord {
  return 'x' in anchor
}

/** Deterministic choice between two records claiming one id: the earlier (stamp, author, text). */
function preferRecord(a: MessageRecord, b: MessageRecord): number {
  if (a.h !== b.h) return a.h < b.h ? -1 : 1
  if (a.a !== b.a) return a.a < b.a ? -1 : 1
  if (a.t !== b.t) return a.t < b.t ? -1 : 1
  return 0
}

function sameRecord(a: MessageRecord, b: MessageRecord): boolean {
  return a === b || (a.i === b.i && a.h === b.h && a.a === b.a && a.t === b.t)
}

function attachmentViews(list: readonly AttachmentRecord[] | undefined): readonly AttachmentView[] {
  if (list === undefined || list.length === 0) return NO_ATTACHMENTS
  return Object.freeze(
    list.map((f) =>
      Object.freeze(
        f.u === undefined
          ? { name: f.n, mime: f.m, size: f.s }
          : { name: f.n, mime: f.m, size: f.s, url: f.u },
      ),
    ),
  )
}

/** Records, edits, tombstones and reactions of one conversation, in order. */
export class MessageStore {
  readonly #records = new Map<MessageId, MessageRecord>()
  /** Every valid record per id, only for ids claimed by more than one record (rare). */
  readonly #duplicates = new Map<MessageId, MessageRecord[]>()
  readonly #edits = new Map<MessageId, EditRecord>()
  readonly #tombstones = new Map<MessageId, TombstoneRecord>()
  /** message → reaction → users. */
  readonly #reactions = new Map<MessageId, Map<string, Set<UserId>>>()
  readonly #order = new SortedAnchors<MessageAnchor>()
  /** Ids touched since the last commit, with the anchor they had before. */
  readonly #before = new Map<MessageId, MessageAnchor | undefined>()
  /** Records new this commit whose id had no state at all: the bulk path of a load. */
  #fresh: MessageRecord[] = []
  readonly #rejections: StoreRejection[] = []
  readonly #reported = new WeakSet<object>()

  /** Number of visible messages (deleted ones included, as placeholders). */
  get size(): number {
    return this.#order.length
  }

  /** The order itself, for paging; do not mutate. */
  get order(): SortedAnchors<MessageAnchor> {
    return this.#order
  }

  // ── Feeding (during a transaction) ────────────────────────────────────────────────────────

  /** A valid record appeared in a chunk. */
  addRecord(record: MessageRecord): void {
    const id = record.i
    const current = this.#records.get(id)
    if (current === undefined && !this.#tombstones.has(id) && !this.#before.has(id)) {
      // Nothing to compare against: skip the before/after bookkeeping (loads are all this).
      this.#records.set(id, record)
      this.#fresh.push(record)
      return
    }
    if (current !== undefined && sameRecord(current, record)) return
    this.#touch(id)
    if (current === undefined) {
      this.#records.set(id, record)
      return
    }
    const all = this.#duplicates.get(id) ?? [current]
    all.push(record)
    this.#duplicates.set(id, all)
    all.sort(preferRecord)
    this.#records.set(id, all[0] as MessageRecord)
    this.#rejections.push({ kind: 'message', key: id, reason: 'duplicate-id' })
  }

  /** A record was deleted from its chunk. */
  removeRecord(record: MessageRecord): void {
    const id = record.i
    const current = this.#records.get(id)
    if (current === undefined) return
    const all = this.#duplicates.get(id)
    if (all === undefined) {
      if (!sameRecord(current, record)) return
      this.#touch(id)
      this.#records.delete(id)
      return
    }
    const index = all.findIndex((r) => sameRecord(r, record))
    if (index < 0) return
    this.#touch(id)
    all.splice(index, 1)
    this.#records.set(id, all[0] as MessageRecord)
    if (all.length === 1) this.#duplicates.delete(id)
  }

  /** The `edits` entry of `id` changed (`undefined`: removed or invalid). */
  setEdit(id: MessageId, edit: EditRecord | undefined): void {
    this.#touch(id)
    if (edit === undefined) this.#edits.delete(id)
    else this.#edits.set(id, edit)
  }

  /** The `deleted` entry of `id` changed (`undefined`: removed or invalid). */
  setTombstone(id: MessageId, tombstone: TombstoneRecord | undefined): void {
    this.#touch(id)
    if (tombstone === undefined) this.#tombstones.delete(id)
    else this.#tombstones.set(id, tombstone)
  }

  /** A reaction was added (`present`) or removed. */
  setReaction(id: MessageId, user: UserId, reaction: string, present: boolean): void {
    let byReaction = this.#reactions.get(id)
    if (present) {
      if (byReaction === undefined) this.#reactions.set(id, (byReaction = new Map()))
      let users = byReaction.get(reaction)
      if (users === undefined) byReaction.set(reaction, (users = new Set()))
      if (users.has(user)) return
      users.add(user)
    } else {
      const users = byReaction?.get(reaction)
      if (users === undefined || !users.delete(user)) return
      if (users.size === 0) byReaction?.delete(reaction)
      if (byReaction?.size === 0) this.#reactions.delete(id)
    }
    this.#touch(id)
  }

  /**
   * Applies everything fed since the last commit to the order; returns the ids whose view
   * changed and the rejections found. Cheap when nothing was fed.
   */
  commit(): { changes: MessageChanges; rejections: StoreRejection[] } {
    const changes: MessageChanges = { added: [], updated: [], removed: [] }
    if (this.#before.size === 0 && this.#fresh.length === 0 && this.#rejections.length === 0) {
      return { changes, rejections: [] }
    }
    const fresh = this.#fresh
    this.#fresh = []
    const touched = this.#before.size > 0
    const inserts: MessageAnchor[] = touched ? [] : fresh
    for (const record of fresh) {
      const id = record.i
      if (touched && this.#before.has(id)) {
        // Touched again later in this transaction: handled with the touched ids, as new.
        this.#before.set(id, undefined)
        continue
      }
      if (touched) inserts.push(record)
      if (this.#edits.has(id)) this.#checkConsistency(id, undefined, record)
      changes.added.push(id)
    }
    if (touched) this.#applyTouched(inserts, changes)
    this.#order.insertMany(inserts)
    return { changes, rejections: this.#rejections.splice(0) }
  }

  #applyTouched(inserts: MessageAnchor[], changes: MessageChanges): void {
    for (const [id, before] of this.#before) {
      const after = this.anchorOf(id)
      this.#checkConsistency(id, before, after)
      if (before === undefined) {
        if (after === undefined) continue
        inserts.push(after)
        changes.added.push(id)
      } else if (after === undefined) {
        this.#order.remove(before)
        changes.removed.push(id)
      } else {
        if (compareAnchors(before, after) === 0) this.#order.replace(after)
        else {
          this.#order.remove(before)
          inserts.push(after)
        }
        changes.updated.push(id)
      }
    }
    this.#before.clear()
  }

  // ── Reading ───────────────────────────────────────────────────────────────────────────────

  /** What the order holds for `id`: its valid tombstone, else its record, else nothing. */
  anchorOf(id: MessageId): MessageAnchor | undefined {
    return this.validTombstone(id) ?? this.#records.get(id)
  }

  /** The current record of `id` (present in a chunk), if any. */
  record(id: MessageId): MessageRecord | undefined {
    return this.#records.get(id)
  }

  /** The tombstone of `id` if it is valid for the record it deletes. */
  validTombstone(id: MessageId): TombstoneRecord | undefined {
    const tombstone = this.#tombstones.get(id)
    if (tombstone === undefined) return undefined
    const record = this.#records.get(id)
    if (record !== undefined && (record.a !== tombstone.a || record.h !== tombstone.h))
      return undefined
    return tombstone
  }

  /** The latest edit of `record` if it is valid (same author, later stamp). */
  validEdit(record: MessageRecord): EditRecord | undefined {
    const edit = this.#edits.get(record.i)
    return edit !== undefined && edit.a === record.a && edit.h > record.h ? edit : undefined
  }

  /** Whether an edit entry exists for `id`, valid or not (for clean-up after a delete). */
  hasEditEntry(id: MessageId): boolean {
    return this.#edits.has(id)
  }

  /** The stamp receipts must pass for `anchor` to count as delivered/read (its latest edit). */
  statusStamp(anchor: MessageAnchor): HlcStamp {
    if (isTombstone(anchor)) return anchor.h
    return this.validEdit(anchor)?.h ?? anchor.h
  }

  /** Builds the immutable view of `anchor` with the given status. */
  view(anchor: MessageAnchor, status: MessageStatus): MessageView {
    const device = anchor.h.slice(18) as DeviceId
    if (isTombstone(anchor)) {
      const record = this.#records.get(anchor.i)
      return Object.freeze({
        id: anchor.i,
        author: anchor.a,
        device,
        hlc: anchor.h,
        kind: record?.k ?? 'text',
        text: '',
        ...(record?.r !== undefined ? { replyTo: record.r } : {}),
        attachments: NO_ATTACHMENTS,
        deleted: true,
        deletedAt: anchor.x,
        reactions: EMPTY_REACTIONS,
        status,
      })
    }
    const edit = this.validEdit(anchor)
    return Object.freeze({
      id: anchor.i,
      author: anchor.a,
      device,
      hlc: anchor.h,
      kind: anchor.k ?? 'text',
      text: edit?.t ?? anchor.t,
      ...(anchor.r !== undefined ? { replyTo: anchor.r } : {}),
      attachments: attachmentViews(edit !== undefined ? edit.f : anchor.f),
      ...(edit !== undefined ? { editedAt: edit.h } : {}),
      deleted: false,
      reactions: this.#reactionView(anchor.i),
      status,
    })
  }

  #reactionView(id: MessageId): Readonly<Record<string, readonly UserId[]>> {
    const byReaction = this.#reactions.get(id)
    if (byReaction === undefined) return EMPTY_REACTIONS
    const out: Record<string, readonly UserId[]> = {}
    for (const reaction of [...byReaction.keys()].sort()) {
      out[reaction] = Object.freeze([...(byReaction.get(reaction) ?? [])].sort())
    }
    return Object.freeze(out)
  }

  #touch(id: MessageId): void {
    if (!this.#before.has(id)) this.#before.set(id, this.anchorOf(id))
  }

  /** Reports (once per offending record) edits and tombstones that the view ignores. */
  #checkConsistency(
    id: MessageId,
    before: MessageAnchor | undefined,
    after: MessageAnchor | undefined,
  ): void {
    const record = this.#records.get(id)
    const edit = this.#edits.get(id)
    if (record !== undefined && edit !== undefined && !this.#reported.has(edit)) {
      if (edit.a !== record.a) this.#reject(edit, 'edit', id, 'not-author')
      else if (edit.h <= record.h) this.#reject(edit, 'edit', id, 'stale-edit')
    }
    const tombstone = this.#tombstones.get(id)
    if (record !== undefined && tombstone !== undefined && !this.#reported.has(tombstone)) {
      if (tombstone.a !== record.a) this.#reject(tombstone, 'tombstone', id, 'not-author')
      else if (tombstone.h !== record.h)
        this.#reject(tombstone, 'tombstone', id, 'tombstone-mismatch')
    }
    if (before !== undefined && after === undefined && !isTombstone(before)) {
      this.#rejections.push({ kind: 'message', key: id, reason: 'delete-without-tombstone' })
    }
    // A message deleted by someone else loses its body in Yjs before the view can object; the
    // tombstone is then all that is left, so it is shown, but the mismatch is still reported.
    if (before !== undefined && after !== undefined && !isTombstone(before) && isTombstone(after)) {
      if (before.a !== after.a)
        this.#rejections.push({ kind: 'tombstone', key: id, reason: 'not-author' })
    }
  }

  #reject(record: object, kind: StoreRejection['kind'], key: string, reason: RejectReason): void {
    this.#reported.add(record)
    this.#rejections.push({ kind, key, reason })
  }
}
