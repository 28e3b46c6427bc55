import * as Y from 'yjs'
import { trustClaims } from './author-attribution.js'
import type { ConversationDocEvents } from './conversation-doc-events.js'
import {
  deviceClock,
  type ApplyUpdateResult,
  type ConversationDocOptions,
  type EditInput,
  type InitializeInput,
  type SendInput,
} from './conversation-doc-options.js'
import { appendRecord, deleteRecord, docRoots, type DocRoots } from './doc-layout.js'
import { DocObserver, type TransactionSummary } from './doc-observer.js'
import { Emitter } from './emitter.js'
import { ParleyError } from './errors.js'
import type { HybridLogicalClock } from './hlc.js'
import { isHlcStamp } from './hlc-stamp.js'
import {
  asConversationId,
  asDeviceId,
  asUserId,
  isMessageId,
  isUserId,
  type ConversationId,
  type DeviceId,
  type HlcStamp,
  type MessageId,
  type UserId,
} from './ids.js'
import { newMessageId } from './message-id.js'
import { MessageStore } from './message-store.js'
import type { MessageView } from './message-view.js'
import { ReceiptStore } from './receipt-store.js'
import { ConversationReader } from './conversation-reader.js'
import { isConversationKind, isReaction, type MemberRole, type TombstoneRecord } from './schema.js'
import { LOCAL_ORIGIN, type TransactionOrigin } from './transaction-origin.js'
import { validateUpdate } from './update-validator.js'
import {
  buildEditRecord,
  buildMemberRecord,
  buildMessageRecord,
  movedReceipt,
  toAttachmentRecords,
} from './local-records.js'
import { checkReactionTarget, checkTitle, ownRecord } from './conversation-doc-guards.js'
import { queueTransactionEvents } from './conversation-doc-queue.js'

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
export class ConversationDoc extends ConversationReader {
  /** The conversation id (also `ydoc.guid`). */
  readonly id: ConversationId
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
  readonly #messages: MessageStore
  readonly #receipts: ReceiptStore
  readonly #observer: DocObserver
  readonly #events: Emitter<ConversationDocEvents>
  readonly #onError: (error: unknown) => void
  readonly #newId: () => MessageId
  readonly #pending: Array<() => void> = []
  readonly #staleEdits = new Set<MessageId>()
  readonly #offDrift: () => void
  #receiving = false
  #draining = false
  #closed = false

  /** @param options - see {@link ConversationDocOptions}. */
  constructor(options: ConversationDocOptions) {
    const id = asConversationId(options.id)
    const user = asUserId(options.user)
    const device = asDeviceId(options.device)
    const ydoc = new Y.Doc({ guid: id, gc: true })
    if (options.clientId !== undefined) ydoc.clientID = options.clientId
    const roots = docRoots(ydoc)
    const messages = new MessageStore()
    const receipts = new ReceiptStore()
    super({
      user,
      messages,
      receipts,
      meta: roots.meta,
      isAcknowledged: options.isAcknowledged ?? ((m) => m.device !== device),
    })
    this.id = id
    this.device = device
    this.ydoc = ydoc
    this.#roots = roots
    this.#messages = messages
    this.#receipts = receipts
    this.#onError =
      options.onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error
        }))
    this.#events = new Emitter(this.#onError)
    this.clock = deviceClock(options, device, this.#onError)
    this.#offDrift = this.clock.on('clock-drift', (event) => {
      if (this.#receiving) this.#pending.push(() => this.#events.emit('clock-drift', event))
    })
    this.#newId = options.newMessageId ?? newMessageId
    if (options.members !== undefined) this.#receipts.setExternalMembers(options.members)
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
    if (this.#closed) return { ok: false, reason: 'closed', applied: false }
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
    if (input.title !== undefined) checkTitle(input.title)
    this.#transact(() => {
      const meta = this.#roots.meta
      const now = this.clock.now()
      if (!meta.has('createdBy')) meta.set('createdBy', this.user)
      if (!meta.has('createdAt')) meta.set('createdAt', now)
      meta.set('kind', input.kind)
      if (input.title !== undefined) meta.set('title', input.title)
      if (!this.#roots.members.has(this.user))
        this.#roots.members.set(this.user, buildMemberRecord('owner', this.user, now, input.name))
    })
  }

  /** Renames the conversation. */
  setTitle(title: string): void {
    checkTitle(title)
    this.#transact(() => this.#roots.meta.set('title', title))
  }

  /** Records `user` as a member of the conversation in the document. */
  addMember(user: UserId, role: MemberRole = 'member', name?: string): void {
    if (!isUserId(user)) throw new ParleyError('invalid-argument', `bad user id ${String(user)}`)
    const record = buildMemberRecord(role, this.user, this.clock.now(), name)
    this.#transact(() => this.#roots.members.set(user, record))
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
    const record = buildMessageRecord(id, this.user, this.clock.now(), input)
    if (
      this.#messages.record(id) !== undefined ||
      this.#messages.validTombstone(id) !== undefined
    ) {
      throw new ParleyError('invalid-argument', `message ${id} already exists`)
    }
    this.#transact(() => appendRecord(this.#roots.chunks, record), [id])
    return this.#viewOrThrow(id)
  }

  /** Replaces the text (and optionally attachments) of one of the local user's messages. */
  edit(id: MessageId, input: EditInput): MessageView {
    const record = ownRecord(this.#messages, id, this.user)
    const attachments =
      input.attachments !== undefined
        ? toAttachmentRecords(input.attachments)
        : (this.#messages.validEdit(record)?.f ?? record.f)
    const edit = buildEditRecord(id, this.user, this.clock.now(), input.text, attachments)
    this.#transact(() => this.#roots.edits.set(id, edit), [id])
    return this.#viewOrThrow(id)
  }

  /**
   * Deletes one of the local user's messages: its record leaves its chunk (Yjs garbage
   * collection then drops the text), its edit entry goes, and a tombstone keeps its place.
   */
  delete(id: MessageId): void {
    const record = ownRecord(this.#messages, id, this.user)
    const tombstone: TombstoneRecord = { i: id, a: this.user, h: record.h, x: this.clock.now() }
    this.#transact(() => {
      deleteRecord(this.#roots.chunks, record)
      this.#roots.edits.delete(id)
      this.#roots.deleted.set(id, tombstone)
    }, [id])
  }

  /** Adds the local user's `reaction` (an emoji) to a message. */
  react(id: MessageId, reaction: string): void {
    checkReactionTarget(this.#messages, id, reaction)
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
    const added = this.recordAcknowledged(ids)
    if (added.length > 0) this.#events.emit('status-changed', { ids: added })
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
    const receive = (stamp: HlcStamp): void => {
      this.#receiving = true
      try {
        this.clock.receive(stamp)
      } finally {
        this.#receiving = false
      }
    }
    queueTransactionEvents(s, this.#pending, this.#events, () => this.meta(), receive)
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
    const next = movedReceipt(current, field, upTo ?? this.clock.now())
    if (next === undefined) return false
    this.#transact(() => this.#roots.receipts.set(`${this.user}/${this.device}`, next))
    return true
  }

  #viewOrThrow(id: MessageId): MessageView {
    const view = this.message(id)
    if (view === undefined) throw new ParleyError('not-found', `message ${id} is not in the view`)
    return view
  }
}
