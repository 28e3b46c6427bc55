// Turns Yjs transactions into view changes. Every arriving value is validated and its claimed
// author checked against the `AuthorAttribution` before it reaches the stores; what fails is
// reported and left out. Chunk entries are found from the transaction's struct ranges rather
// than from Y.Array events, whose `changes` walk the whole chunk (O(chunk) per append); map
// entries come from map observers (`keysChanged` is free).
import * as Y from 'yjs'
import type { AuthorAttribution } from './author-attribution.js'
import type { RecordKind } from './conversation-doc-events.js'
import type { DocRoots } from './doc-layout.js'
import {
  isDeviceId,
  isMessageId,
  isUserId,
  type DeviceId,
  type HlcStamp,
  type MessageId,
  type UserId,
} from './ids.js'
import type { MessageChanges, MessageStore, StoreRejection } from './message-store.js'
import type { ReceiptStore } from './receipt-store.js'
import {
  checkEditRecord,
  checkMemberRecord,
  checkMessageRecord,
  checkReactionRecord,
  checkReceiptRecord,
  checkTombstoneRecord,
  isConversationKind,
  isReaction,
  MAX_TITLE_LENGTH,
  type RejectReason,
} from './schema.js'
import { isHlcStamp } from './hlc-stamp.js'
import { isTransactionOrigin, LOCAL_ORIGIN, type TransactionOrigin } from './transaction-origin.js'

const NO_REJECTIONS: readonly ObservedRejection[] = Object.freeze([])

/** One rejection, with the origin of the transaction that brought the record. */
export interface ObservedRejection {
  readonly kind: RecordKind
  readonly key: string
  readonly reason: RejectReason
  readonly origin: TransactionOrigin
}

/** What one transaction changed in the view. */
export interface TransactionSummary {
  readonly origin: TransactionOrigin
  readonly messages: MessageChanges
  readonly receiptUsers: readonly UserId[]
  readonly membersChanged: boolean
  readonly metaChanged: boolean
  readonly rejections: readonly ObservedRejection[]
  /** Greatest stamp carried by arriving (non-local) records, for the clock. */
  readonly maxStamp: HlcStamp | undefined
  /** Deleted messages of the local user that still carry an edit entry (a concurrent edit). */
  readonly staleEdits: readonly MessageId[]
}

/** Observes one conversation document and feeds its stores. */
export class DocObserver {
  readonly #roots: DocRoots
  readonly #messages: MessageStore
  readonly #receipts: ReceiptStore
  readonly #attribution: AuthorAttribution
  readonly #localUser: UserId
  #origin: TransactionOrigin = LOCAL_ORIGIN
  #rejections: ObservedRejection[] = []
  readonly #receiptUsers = new Set<UserId>()
  #membersChanged = false
  #metaChanged = false
  #maxStamp: HlcStamp | undefined
  readonly #deletionTouched = new Set<MessageId>()
  readonly #unobserve: Array<() => void> = []

  constructor(
    roots: DocRoots,
    messages: MessageStore,
    receipts: ReceiptStore,
    attribution: AuthorAttribution,
    localUser: UserId,
  ) {
    this.#roots = roots
    this.#messages = messages
    this.#receipts = receipts
    this.#attribution = attribution
    this.#localUser = localUser
    this.#observe(roots.edits, (key, value, client) => this.#onEdit(key, value, client))
    this.#observe(roots.deleted, (key, value, client) => this.#onTombstone(key, value, client))
    this.#observe(roots.reactions, (key, value, client) => this.#onReaction(key, value, client))
    this.#observe(roots.receipts, (key, value, client) => this.#onReceipt(key, value, client))
    this.#observe(roots.members, (key, value, client) => this.#onMember(key, value, client))
    this.#observe(roots.meta, (key, value) => this.#onMeta(key, value))
  }

  /** Reads the chunk changes of `tr` and closes the books on it. Call from `afterTransaction`. */
  finish(tr: Y.Transaction): TransactionSummary {
    this.#setOrigin(tr)
    this.#scanChunks(tr)
    const { changes, rejections } = this.#messages.commit()
    // Yjs applies a delete set even while the same update's new items wait for a missing earlier
    // update (pending structs): the tombstone may be among them, so do not cry wolf yet.
    const pending = tr.doc.store.pendingStructs !== null
    for (const r of rejections) {
      if (!(pending && r.reason === 'delete-without-tombstone')) this.#pushStoreRejection(r)
    }
    const staleEdits: MessageId[] = []
    for (const id of this.#deletionTouched) {
      const tombstone = this.#messages.validTombstone(id)
      if (tombstone !== undefined && tombstone.a === this.#localUser && this.#roots.edits.has(id))
        staleEdits.push(id)
    }
    const rejected = this.#rejections
    if (rejected.length > 0) this.#rejections = []
    const summary: TransactionSummary = {
      origin: this.#origin,
      messages: changes,
      receiptUsers: this.#receiptUsers.size > 0 ? [...this.#receiptUsers] : [],
      membersChanged: this.#membersChanged,
      metaChanged: this.#metaChanged,
      rejections: rejected.length > 0 ? rejected : NO_REJECTIONS,
      maxStamp: this.#maxStamp,
      staleEdits,
    }
    this.#receiptUsers.clear()
    this.#membersChanged = false
    this.#metaChanged = false
    this.#maxStamp = undefined
    this.#deletionTouched.clear()
    this.#origin = LOCAL_ORIGIN
    return summary
  }

  /** Stops observing. Idempotent. */
  close(): void {
    for (const f of this.#unobserve.splice(0)) f()
  }

  #setOrigin(tr: Y.Transaction): void {
    this.#origin = isTransactionOrigin(tr.origin) ? tr.origin : LOCAL_ORIGIN
  }

  #observe(
    map: Y.Map<unknown>,
    onKey: (key: string, value: unknown, client: number | undefined) => void,
  ): void {
    const handler = (event: Y.YMapEvent<unknown>, tr: Y.Transaction): void => {
      this.#setOrigin(tr)
      for (const key of event.keysChanged) {
        const item = map._map.get(key)
        const present = item !== undefined && !item.deleted
        onKey(key, present ? map.get(key) : undefined, present ? item.id.client : undefined)
      }
    }
    map.observe(handler)
    this.#unobserve.push(() => map.unobserve(handler))
  }

  #reject(kind: RecordKind, key: string, reason: RejectReason): void {
    this.#rejections.push({ kind, key, reason, origin: this.#origin })
  }

  #pushStoreRejection(r: StoreRejection): void {
    this.#reject(r.kind, r.key, r.reason)
  }

  /** Whether `client`'s known writer contradicts `claimed`; reports the mismatch. */
  #misattributed(
    kind: RecordKind,
    key: string,
    claimed: string,
    client: number | undefined,
  ): boolean {
    if (client === undefined || this.#origin.source === 'local') return false
    const writer = this.#attribution.writerOf(client)
    if (writer === undefined || writer === claimed) return false
    this.#reject(kind, key, 'attribution-mismatch')
    return true
  }

  #seen(stamp: HlcStamp): void {
    if (this.#origin.source === 'local') return
    if (this.#maxStamp === undefined || stamp > this.#maxStamp) this.#maxStamp = stamp
  }

  #scanChunks(tr: Y.Transaction): void {
    const structs = tr.doc.store.clients
    for (const [client, after] of tr.afterState) {
      const before = tr.beforeState.get(client) ?? 0
      if (after <= before) continue
      const list = structs.get(client)
      if (list === undefined) continue
      for (let index = Y.findIndexSS(list, before); index < list.length; index++) {
        const struct = list[index]
        if (struct === undefined || struct.id.clock >= after) break
        if (
          !(struct instanceof Y.Item) ||
          struct.deleted ||
          !(struct.content instanceof Y.ContentAny)
        )
          continue
        if (!this.#isChunk(struct.parent)) {
          if (struct.parent === this.#roots.chunks)
            this.#reject('chunk', String(client), 'invalid-schema')
          continue
        }
        for (const value of struct.content.arr) this.#onRecord(value, client)
      }
    }
    Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
      if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) return
      // Created and deleted in this very transaction: never indexed.
      if (struct.id.clock >= (tr.beforeState.get(struct.id.client) ?? 0)) return
      if (!this.#isChunk(struct.parent)) return
      for (const value of struct.content.arr) {
        const checked = checkMessageRecord(value)
        if (checked.ok) this.#messages.removeRecord(checked.value)
      }
    })
  }

  #isChunk(parent: Y.Item['parent']): boolean {
    return (
      parent instanceof Y.Array &&
      parent._item !== null &&
      parent._item.parent === this.#roots.chunks
    )
  }

  #onRecord(value: unknown, client: number): void {
    const checked = checkMessageRecord(value)
    if (!checked.ok) {
      const id =
        typeof value === 'object' && value !== null ? (value as { i?: unknown }).i : undefined
      this.#reject('message', typeof id === 'string' ? id : '', 'invalid-schema')
      return
    }
    const record = checked.value
    if (this.#misattributed('message', record.i, record.a, client)) return
    this.#seen(record.h)
    this.#messages.addRecord(record)
  }

  #onEdit(key: string, value: unknown, client: number | undefined): void {
    if (!isMessageId(key)) return this.#reject('edit', key, 'key-mismatch')
    this.#deletionTouched.add(key)
    if (value === undefined) return this.#messages.setEdit(key, undefined)
    const checked = checkEditRecord(value)
    let reason: RejectReason | undefined
    if (!checked.ok) reason = 'invalid-schema'
    else if (checked.value.i !== key) reason = 'key-mismatch'
    if (reason !== undefined || !checked.ok) {
      this.#reject('edit', key, reason ?? 'invalid-schema')
      return this.#messages.setEdit(key, undefined)
    }
    if (this.#misattributed('edit', key, checked.value.a, client))
      return this.#messages.setEdit(key, undefined)
    this.#seen(checked.value.h)
    this.#messages.setEdit(key, checked.value)
  }

  #onTombstone(key: string, value: unknown, client: number | undefined): void {
    if (!isMessageId(key)) return this.#reject('tombstone', key, 'key-mismatch')
    this.#deletionTouched.add(key)
    if (value === undefined) return this.#messages.setTombstone(key, undefined)
    const checked = checkTombstoneRecord(value)
    if (!checked.ok || checked.value.i !== key) {
      this.#reject('tombstone', key, checked.ok ? 'key-mismatch' : 'invalid-schema')
      return this.#messages.setTombstone(key, undefined)
    }
    if (this.#misattributed('tombstone', key, checked.value.a, client))
      return this.#messages.setTombstone(key, undefined)
    this.#seen(checked.value.x)
    this.#messages.setTombstone(key, checked.value)
  }

  #onReaction(key: string, value: unknown, client: number | undefined): void {
    const first = key.indexOf('/')
    const second = first < 0 ? -1 : key.indexOf('/', first + 1)
    const id = key.slice(0, first)
    const user = key.slice(first + 1, second)
    const reaction = key.slice(second + 1)
    if (second < 0 || !isMessageId(id) || !isUserId(user) || !isReaction(reaction)) {
      return this.#reject('reaction', key, 'key-mismatch')
    }
    let present = false
    if (value !== undefined) {
      const checked = checkReactionRecord(value)
      if (!checked.ok) this.#reject('reaction', key, 'invalid-schema')
      else if (!this.#misattributed('reaction', key, user, client)) {
        this.#seen(checked.value.at)
        present = true
      }
    }
    this.#messages.setReaction(id, user, reaction, present)
  }

  #onReceipt(key: string, value: unknown, client: number | undefined): void {
    const slash = key.indexOf('/')
    const user = key.slice(0, slash)
    const device = key.slice(slash + 1)
    if (slash < 0 || !isUserId(user) || !isDeviceId(device))
      return this.#reject('receipt', key, 'key-mismatch')
    let record = undefined
    if (value !== undefined) {
      const checked = checkReceiptRecord(value)
      if (!checked.ok) this.#reject('receipt', key, 'invalid-schema')
      else if (!this.#misattributed('receipt', key, user, client)) {
        record = checked.value
        if (record.delivered !== undefined) this.#seen(record.delivered)
        if (record.read !== undefined) this.#seen(record.read)
      }
    }
    this.#receipts.setReceipt(user, device as DeviceId, record)
    this.#receiptUsers.add(user)
  }

  #onMeta(key: string, value: unknown): void {
    this.#metaChanged = true
    if (value === undefined) return
    const valid =
      key === 'title'
        ? typeof value === 'string' && value.length <= MAX_TITLE_LENGTH
        : key === 'kind'
          ? isConversationKind(value)
          : key === 'createdBy'
            ? isUserId(value)
            : key === 'createdAt'
              ? isHlcStamp(value)
              : true // unknown keys are left for newer versions
    if (!valid) this.#reject('meta', key, 'invalid-schema')
  }

  #onMember(key: string, value: unknown, client: number | undefined): void {
    if (!isUserId(key)) return this.#reject('member', key, 'key-mismatch')
    let record = undefined
    if (value !== undefined) {
      const checked = checkMemberRecord(value)
      if (!checked.ok) this.#reject('member', key, 'invalid-schema')
      else if (!this.#misattributed('member', key, checked.value.addedBy, client))
        record = checked.value
    }
    this.#receipts.setMember(key, record)
    this.#membersChanged = true
  }
}
