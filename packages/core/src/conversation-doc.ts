import * as Y from 'yjs'
import { trustClaims } from './author-attribution.js'
import type { ConversationDocEvents } from './conversation-doc-events.js'
import type {
  AckQuery,
  ApplyUpdateResult,
  ConversationDocOptions,
  EditInput,
  InitializeInput,
  SendInput,
} from './conversation-doc-options.js'
import { appendRecord, deleteRecord, docRoots, type DocRoots } from './doc-layout.js'
import { DocObserver, type TransactionSummary } from './doc-observer.js'
import { Emitter } from './emitter.js'
import { ParleyError } from './errors.js'
import { HybridLogicalClock } from './hlc.js'
import { isHlcStamp, maxHlcStamp } from './hlc-stamp.js'
import {
  asConversationId,
  asDeviceId,
  asUserId,
  isMessageId,
  isUserId,
  newMessageId,
  type ConversationId,
  type DeviceId,
  type HlcStamp,
  type MessageId,
  type UserId,
} from './ids.js'
import { isTombstone, MessageStore, type MessageAnchor } from './message-store.js'
import type {
  AttachmentView,
  ConversationMeta,
  MemberView,
  MessagePage,
  MessageStatus,
  MessageView,
  PageCursor,
  ReceiptView,
} from './message-view.js'
import { ReceiptStore } from './receipt-store.js'
import {
  MAX_TITLE_LENGTH,
  checkEditRecord,
  checkMessageRecord,
  isConversationKind,
  isReaction,
  type AttachmentRecord,
  type EditRecord,
  type MemberRole,
  type MessageRecord,
  type TombstoneRecord,
} from './schema.js'
import { LOCAL_ORIGIN, type TransactionOrigin } from './transaction-origin.js'
import { validateUpdate } from './update-validator.js'

function toAttachmentRecords(
  list: readonly AttachmentView[] | undefined,
): AttachmentRecord[] | undefined {
  if (list === undefined || list.length === 0) return undefined
  return list.map((a) =>
    a.url === undefined
      ? { n: a.name, m: a.mime, s: a.size }
      : { n: a.name, m: a.mime, s: a.size, u: a.url },
  )
}

/**
 * One conversation: a Y.Doc with Parley's layout (docs/LAYOUT.md), the intents a user has on it
 * (send, edit, delete, react, receipts), and an incrementally maintained view (ordered messages,
 * pages, statuses, unread counts) of plain immutable objects. See docs/MODEL.md.
 *
 * Arriving bytes never make it throw: `applyUpdate` validates them first and reports problems
 * as `invalid-update`; records that fail the schema or authorship are left out of the view and
 * reported as `rejected-record`. Local misuse (editing someone else's message, an empty text)
 * throws a `ParleyError`.
 */
export class ConversationDoc {
  /** The conversation id (also `ydoc.guid`). */
  readonly id: ConversationId
  /** The local user. */
  readonly user: UserId
  /** The local device. */
  readonly device: DeviceId
  /** The device clock stamping local writes. */
  readonly clock: HybridLogicalClock
  /**
   * The underlying document, for encoding and awareness. Write to it only through this class:
   * a direct write bypasses validation of local intents and is not emitted as `update`.
   */
  readonly ydoc: Y.Doc
  readonly #roots: DocRoots
  readonly #messages = new MessageStore()
  readonly #receipts = new ReceiptStore()
  readonly #observer: DocObserver
  readonly #events: Emitter<ConversationDocEvents>
  readonly #onError: (error: unknown) => void
  readonly #isAcknowledged: (message: AckQuery) => boolean
  readonly #acknowledged = new Set<MessageId>()
  readonly #newId: () => MessageId
  readonly #pending: Array<() => void> = []
  readonly #staleEdits = new Set<MessageId>()
  readonly #offDrift: () => void
  #receiving = false
  #draining = false
  #closed = false

  /** @param options - see {@link ConversationDocOptions}. */
  constructor(options: ConversationDocOptions) {
    this.id = asConversationId(options.id)
    this.user = asUserId(options.user)
    this.device = asDeviceId(options.device)
    this.#onError =
      options.onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error
        }))
    this.#events = new Emitter(this.#onError)
    this.clock =
      options.clock ??
      new HybridLogicalClock({
        device: this.device,
        ...(options.wallClock ? { wallClock: options.wallClock } : {}),
        ...(options.maxDriftMs !== undefined ? { maxDriftMs: options.maxDriftMs } : {}),
        onError: this.#onError,
      })
    if (this.clock.device !== this.device) {
      throw new ParleyError(
        'invalid-argument',
        `clock device ${this.clock.device} is not ${this.device}`,
      )
    }
    this.#offDrift = this.clock.on('clock-drift', (event) => {
      if (this.#receiving) this.#pending.push(() => this.#events.emit('clock-drift', event))
    })
    const device = this.device
    this.#isAcknowledged = options.isAcknowledged ?? ((m) => m.device !== device)
    this.#newId = options.newMessageId ?? newMessageId
    if (options.members !== undefined) this.#receipts.setExternalMembers(options.members)
    this.ydoc = new Y.Doc({ guid: this.id, gc: true })
    this.#roots = docRoots(this.ydoc)
    this.#observer = new DocObserver(
      this.#roots,
      this.#messages,
      this.#receipts,
      options.attribution ?? trustClaims,
      this.user,
    )
    this.ydoc.on('afterTransaction', this.#afterTransaction)
  }

  /** Subscribes to an event (see {@link ConversationDocEvents}); returns the unsubscribe function. */
  on<E extends keyof ConversationDocEvents>(
    event: E,
    listener: (payload: ConversationDocEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, listener)
  }

  // ── Sync ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies Yjs update bytes from storage or a peer. Never throws: bytes that are not a complete
   * V1 update of Parley content are refused whole (`applied: false`); the rare failure inside
   * Yjs after validation is reported with `applied: true` (the view still matches the document).
   * Either way an `invalid-update` event is emitted.
   */
  applyUpdate(update: Uint8Array, origin: TransactionOrigin): ApplyUpdateResult {
    if (this.#closed) return { ok: false, reason: 'apply-failed', applied: false }
    if (!(update instanceof Uint8Array)) {
      this.#events.emit('invalid-update', { reason: 'not-bytes', origin })
      return { ok: false, reason: 'not-bytes', applied: false }
    }
    const valid = validateUpdate(update)
    if (!valid.ok) {
      this.#events.emit('invalid-update', { reason: valid.reason, origin, offset: valid.offset })
      return { ok: false, reason: valid.reason, applied: false }
    }
    let result: ApplyUpdateResult = { ok: true }
    try {
      Y.applyUpdate(this.ydoc, update, origin)
    } catch (error) {
      this.#pending.push(() =>
        this.#events.emit('invalid-update', { reason: 'apply-failed', origin, error }),
      )
      result = { ok: false, reason: 'apply-failed', applied: true }
    }
    this.#drain()
    return result
  }

  /** The document's state, or the part a peer with `stateVector` misses. */
  encodeStateAsUpdate(stateVector?: Uint8Array): Uint8Array {
    return Y.encodeStateAsUpdate(this.ydoc, stateVector)
  }

  /** The document's state vector (what it has from each Yjs client). */
  encodeStateVector(): Uint8Array {
    return Y.encodeStateVector(this.ydoc)
  }

  // ── Intents ───────────────────────────────────────────────────────────────────────────────

  /** Sets title and kind; records creator and creation stamp and makes the local user owner, once. */
  initialize(input: InitializeInput): void {
    if (!isConversationKind(input.kind))
      throw new ParleyError('invalid-argument', `bad conversation kind ${String(input.kind)}`)
    if (input.title !== undefined) this.#checkTitle(input.title)
    this.#transact(() => {
      const meta = this.#roots.meta
      const now = this.clock.now()
      if (!meta.has('createdBy')) meta.set('createdBy', this.user)
      if (!meta.has('createdAt')) meta.set('createdAt', now)
      meta.set('kind', input.kind)
      if (input.title !== undefined) meta.set('title', input.title)
      if (!this.#roots.members.has(this.user)) {
        this.#roots.members.set(this.user, { role: 'owner', addedBy: this.user, addedAt: now })
      }
    })
  }

  /** Renames the conversation. */
  setTitle(title: string): void {
    this.#checkTitle(title)
    this.#transact(() => this.#roots.meta.set('title', title))
  }

  /** Records `user` as a member of the conversation in the document. */
  addMember(user: UserId, role: MemberRole = 'member'): void {
    if (!isUserId(user)) throw new ParleyError('invalid-argument', `bad user id ${String(user)}`)
    this.#transact(() =>
      this.#roots.members.set(user, { role, addedBy: this.user, addedAt: this.clock.now() }),
    )
  }

  /** Removes `user` from the document's members. */
  removeMember(user: UserId): void {
    this.#transact(() => this.#roots.members.delete(user))
  }

  /**
   * Replaces the member set used for statuses with one from outside the document (the server's
   * membership table); `undefined` goes back to the document's `members`.
   */
  setMembers(members: Iterable<UserId> | undefined): void {
    this.#receipts.setExternalMembers(members)
    this.#events.emit('members-changed', { origin: LOCAL_ORIGIN })
  }

  /** Sends a message; returns its view (status `sending` until acknowledged). */
  send(input: SendInput): MessageView {
    const id = input.id ?? this.#newId()
    const candidate: Record<string, unknown> = {
      i: id,
      a: this.user,
      h: this.clock.now(),
      t: input.text,
    }
    if (input.kind === 'system') candidate.k = 'system'
    if (input.replyTo !== undefined) candidate.r = input.replyTo
    const attachments = toAttachmentRecords(input.attachments)
    if (attachments !== undefined) candidate.f = attachments
    const checked = checkMessageRecord(candidate)
    if (!checked.ok)
      throw new ParleyError(
        'invalid-argument',
        'message does not match the schema (text, ids, attachments)',
      )
    if (
      this.#messages.record(id) !== undefined ||
      this.#messages.validTombstone(id) !== undefined
    ) {
      throw new ParleyError('invalid-argument', `message ${id} already exists`)
    }
    const record = checked.value
    this.#transact(() => appendRecord(this.#roots.chunks, record), [id])
    return this.#viewOrThrow(id)
  }

  /** Replaces the text (and optionally attachments) of one of the local user's messages. */
  edit(id: MessageId, input: EditInput): MessageView {
    const record = this.#ownRecord(id)
    const current = this.#messages.validEdit(record)
    const attachments =
      input.attachments !== undefined
        ? toAttachmentRecords(input.attachments)
        : (current?.f ?? record.f)
    const candidate: Record<string, unknown> = {
      i: id,
      a: this.user,
      h: this.clock.now(),
      t: input.text,
    }
    if (attachments !== undefined && attachments.length > 0) candidate.f = attachments
    const checked = checkEditRecord(candidate)
    if (!checked.ok) throw new ParleyError('invalid-argument', 'edit does not match the schema')
    const edit: EditRecord = checked.value
    this.#transact(() => this.#roots.edits.set(id, edit), [id])
    return this.#viewOrThrow(id)
  }

  /**
   * Deletes one of the local user's messages: its record leaves its chunk (Yjs garbage
   * collection then drops the text), its edit entry goes, and a tombstone keeps its place.
   */
  delete(id: MessageId): void {
    const record = this.#ownRecord(id)
    const tombstone: TombstoneRecord = { i: id, a: this.user, h: record.h, x: this.clock.now() }
    this.#transact(() => {
      deleteRecord(this.#roots.chunks, record)
      this.#roots.edits.delete(id)
      this.#roots.deleted.set(id, tombstone)
    }, [id])
  }

  /** Adds the local user's `reaction` (an emoji) to a message. */
  react(id: MessageId, reaction: string): void {
    this.#reactionTarget(id, reaction)
    this.#transact(
      () => this.#roots.reactions.set(`${id}/${this.user}/${reaction}`, { at: this.clock.now() }),
      [id],
    )
  }

  /** Removes the local user's `reaction` from a message (no effect if absent). */
  unreact(id: MessageId, reaction: string): void {
    if (!isMessageId(id) || !isReaction(reaction))
      throw new ParleyError('invalid-argument', 'bad message id or reaction')
    const key = `${id}/${this.user}/${reaction}`
    if (!this.#roots.reactions.has(key)) return
    this.#transact(() => this.#roots.reactions.delete(key), [id])
  }

  /**
   * Moves this device's delivered cursor to `upTo` (default: now, i.e. everything this device
   * has). Cursors only move forward; returns whether anything was written.
   */
  markDelivered(upTo?: HlcStamp): boolean {
    return this.#moveCursor('delivered', upTo)
  }

  /** Moves this device's read cursor to `upTo` (default: now — everything is read). */
  markRead(upTo?: HlcStamp): boolean {
    return this.#moveCursor('read', upTo)
  }

  /** Records that the server holds these messages (status `sent` or beyond). */
  acknowledge(ids: Iterable<MessageId>): void {
    const added: MessageId[] = []
    for (const id of ids) {
      if (!this.#acknowledged.has(id)) {
        this.#acknowledged.add(id)
        added.push(id)
      }
    }
    if (added.length > 0) this.#events.emit('status-changed', { ids: added })
  }

  // ── Reads ─────────────────────────────────────────────────────────────────────────────────

  /** Number of messages in the view (deleted ones included). */
  get size(): number {
    return this.#messages.size
  }

  /** One message, or `undefined`. */
  message(id: MessageId): MessageView | undefined {
    const anchor = this.#messages.anchorOf(id)
    return anchor === undefined ? undefined : this.#view(anchor)
  }

  /** Every message in order. O(n): for small conversations and tests; UIs should page. */
  messages(): MessageView[] {
    return this.#messages.order.slice(0, this.#messages.size).map((a) => this.#view(a))
  }

  /** The newest `count` messages, oldest first. */
  lastPage(count: number): MessagePage {
    const end = this.#messages.size
    return this.#page(Math.max(0, end - count), end)
  }

  /** Up to `count` messages just before `cursor` (exclusive), oldest first. */
  pageBefore(cursor: PageCursor, count: number): MessagePage {
    const end = this.#messages.order.lowerBound({ h: cursor.hlc, i: cursor.id })
    return this.#page(Math.max(0, end - count), end)
  }

  /** Up to `count` messages just after `cursor` (exclusive), oldest first. */
  pageAfter(cursor: PageCursor, count: number): MessagePage {
    const start = this.#messages.order.upperBound({ h: cursor.hlc, i: cursor.id })
    return this.#page(start, Math.min(this.#messages.size, start + Math.max(0, count)))
  }

  /** Delivery status of a message for the local viewer, or `undefined` if unknown. */
  status(id: MessageId): MessageStatus | undefined {
    const anchor = this.#messages.anchorOf(id)
    return anchor === undefined ? undefined : this.#status(anchor)
  }

  /**
   * Messages by others, not deleted, sent after `user`'s read cursor (max over devices).
   * O(unread) after a binary search. Default user: the local one.
   */
  unreadCount(user: UserId = this.user): number {
    const order = this.#messages.order
    const read = this.#receipts.readCursor(user)
    let count = 0
    for (let i = read === undefined ? 0 : order.firstAfterStamp(read); i < order.length; i++) {
      const anchor = order.at(i) as MessageAnchor
      if (!isTombstone(anchor) && anchor.a !== user) count++
    }
    return count
  }

  /** Receipt cursors per user (max over their devices), sorted by user. */
  receipts(): ReceiptView[] {
    return this.#receipts.receipts()
  }

  /** One user's receipt cursors. */
  receipt(user: UserId): ReceiptView {
    return this.#receipts.cursors(user)
  }

  /** Members recorded in the document. */
  members(): MemberView[] {
    return this.#receipts.members()
  }

  /** The member ids the group rule uses (external set if given, else the document's). */
  memberIds(): UserId[] {
    return this.#receipts.memberIds()
  }

  /** Title, kind and creation data; invalid values are left out. */
  meta(): ConversationMeta {
    const m = this.#roots.meta
    const title = m.get('title')
    const kind = m.get('kind')
    const createdBy = m.get('createdBy')
    const createdAt = m.get('createdAt')
    return Object.freeze({
      ...(typeof title === 'string' && title.length <= MAX_TITLE_LENGTH ? { title } : {}),
      ...(isConversationKind(kind) ? { kind } : {}),
      ...(isUserId(createdBy) ? { createdBy } : {}),
      ...(isHlcStamp(createdAt) ? { createdAt } : {}),
    })
  }

  /** Stops observing, removes listeners and destroys the Y.Doc. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.ydoc.off('afterTransaction', this.#afterTransaction)
    this.#observer.close()
    this.#offDrift()
    this.#events.clear()
    this.ydoc.destroy()
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────

  readonly #afterTransaction = (tr: Y.Transaction): void => {
    // Runs inside Yjs's transaction cleanup: it must not throw, and it only queues events.
    try {
      this.#queueEvents(this.#observer.finish(tr))
    } catch (error) {
      this.#onError(error)
    }
  }

  #queueEvents(s: TransactionSummary): void {
    const { origin } = s
    if (s.maxStamp !== undefined) {
      const stamp = s.maxStamp
      this.#pending.push(() => {
        this.#receiving = true
        try {
          this.clock.receive(stamp)
        } finally {
          this.#receiving = false
        }
      })
    }
    for (const r of s.rejections) this.#pending.push(() => this.#events.emit('rejected-record', r))
    const { added, updated, removed } = s.messages
    if (added.length + updated.length + removed.length > 0) {
      this.#pending.push(() =>
        this.#events.emit('messages-changed', { added, updated, removed, origin }),
      )
    }
    if (s.receiptUsers.length > 0 || s.membersChanged) {
      const users = s.receiptUsers
      this.#pending.push(() => this.#events.emit('receipts-changed', { users, origin }))
    }
    if (s.membersChanged) this.#pending.push(() => this.#events.emit('members-changed', { origin }))
    if (s.metaChanged)
      this.#pending.push(() => this.#events.emit('meta-changed', { meta: this.meta(), origin }))
    for (const id of s.staleEdits) this.#staleEdits.add(id)
  }

  /** Runs queued work outside Yjs's cleanup: clock updates, clean-ups, then events. */
  #drain(): void {
    if (this.#draining) return
    this.#draining = true
    try {
      while (this.#pending.length > 0 || this.#staleEdits.size > 0) {
        if (this.#staleEdits.size > 0 && !this.#closed) {
          // A concurrent edit landed on a message this user deleted: erase its text too.
          const ids = [...this.#staleEdits]
          this.#staleEdits.clear()
          this.#transact(() => {
            for (const id of ids) this.#roots.edits.delete(id)
          }, ids)
        }
        const next = this.#pending.shift()
        if (next !== undefined) next()
      }
    } finally {
      this.#draining = false
    }
  }

  /** Runs a local write; emits its update bytes (only local writes are encoded by Yjs). */
  #transact(write: () => void, messageIds: readonly MessageId[] = []): void {
    if (this.#closed) throw new ParleyError('closed', 'the conversation document is closed')
    const updates: Uint8Array[] = []
    const capture = (update: Uint8Array): void => {
      updates.push(update)
    }
    this.ydoc.on('update', capture)
    try {
      this.ydoc.transact(write, LOCAL_ORIGIN)
    } finally {
      this.ydoc.off('update', capture)
    }
    for (const update of updates) {
      this.#pending.push(() =>
        this.#events.emit('update', { update, origin: LOCAL_ORIGIN, messageIds }),
      )
    }
    this.#drain()
  }

  #moveCursor(field: 'delivered' | 'read', upTo: HlcStamp | undefined): boolean {
    if (upTo !== undefined && !isHlcStamp(upTo))
      throw new ParleyError('invalid-argument', `bad stamp ${String(upTo)}`)
    const current = this.#receipts.deviceReceipt(this.user, this.device)
    const target = upTo ?? this.clock.now()
    const next = { ...current, [field]: maxHlcStamp(current?.[field], target) }
    if (field === 'read') next.delivered = maxHlcStamp(next.delivered, next.read)
    if (next.delivered === current?.delivered && next.read === current?.read) return false
    this.#transact(() => this.#roots.receipts.set(`${this.user}/${this.device}`, next))
    return true
  }

  #ownRecord(id: MessageId): MessageRecord {
    if (this.#messages.validTombstone(id) !== undefined)
      throw new ParleyError('message-deleted', `message ${id} was deleted`)
    const record = this.#messages.record(id)
    if (record === undefined) throw new ParleyError('not-found', `no message ${id}`)
    if (record.a !== this.user)
      throw new ParleyError('not-author', `message ${id} is by ${record.a}, not ${this.user}`)
    return record
  }

  #reactionTarget(id: MessageId, reaction: string): void {
    if (!isReaction(reaction))
      throw new ParleyError('invalid-argument', `bad reaction ${JSON.stringify(reaction)}`)
    const anchor = this.#messages.anchorOf(id)
    if (anchor === undefined) throw new ParleyError('not-found', `no message ${id}`)
    if (isTombstone(anchor)) throw new ParleyError('message-deleted', `message ${id} was deleted`)
  }

  #checkTitle(title: string): void {
    if (typeof title !== 'string' || title.length > MAX_TITLE_LENGTH) {
      throw new ParleyError(
        'invalid-argument',
        `title must be a string of at most ${MAX_TITLE_LENGTH} characters`,
      )
    }
  }

  #viewOrThrow(id: MessageId): MessageView {
    const view = this.message(id)
    if (view === undefined) throw new ParleyError('not-found', `message ${id} is not in the view`)
    return view
  }

  #page(start: number, end: number): MessagePage {
    const anchors = this.#messages.order.slice(start, end)
    return Object.freeze({
      messages: Object.freeze(anchors.map((a) => this.#view(a))),
      hasBefore: start > 0,
      hasAfter: end < this.#messages.size,
    })
  }

  #view(anchor: MessageAnchor): MessageView {
    return this.#messages.view(anchor, this.#status(anchor))
  }

  #status(anchor: MessageAnchor): MessageStatus {
    const acked =
      this.#acknowledged.has(anchor.i) ||
      this.#isAcknowledged({
        id: anchor.i,
        author: anchor.a,
        device: anchor.h.slice(18) as DeviceId,
        hlc: anchor.h,
      })
    if (!acked) return 'sending'
    const others = this.#receipts.othersOf(anchor.a)
    if (others.empty) return 'sent'
    const stamp = this.#messages.statusStamp(anchor)
    if (others.read !== undefined && others.read >= stamp) return 'read'
    if (others.delivered !== undefined && others.delivered >= stamp) return 'delivered'
    return 'sent'
  }
}
