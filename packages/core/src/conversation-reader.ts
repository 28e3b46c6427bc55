import type { DeviceId, MessageId, UserId } from './ids.js'
import type { AckQuery } from './conversation-doc-options.js'
import { isHlcStamp } from './hlc-stamp.js'
import { isUserId } from './ids.js'
import { isTombstone, type MessageAnchor, type MessageStore } from './message-store.js'
import type {
  ConversationMeta,
  MemberView,
  MessagePage,
  MessageStatus,
  MessageView,
  PageCursor,
  ReceiptView,
} from './message-view.js'
import type { ReceiptStore } from './receipt-store.js'
import { MAX_TITLE_LENGTH, isConversationKind } from './schema.js'

/** What a {@link ConversationReader} reads from; built by `ConversationDoc`. */
export interface ConversationReaderParts {
  readonly user: UserId
  readonly messages: MessageStore
  readonly receipts: ReceiptStore
  readonly meta: { get(key: string): unknown }
  readonly isAcknowledged: (message: AckQuery) => boolean
}

/**
 * The read side of a `ConversationDoc` (its base class): ordered messages, pages, statuses,
 * unread counts, receipts, members and metadata, all as frozen plain objects built on demand
 * from indexes the document keeps up to date incrementally. Reads never touch Yjs types except
 * the small `meta` map.
 */
export class ConversationReader {
  /** The local user (the viewer). */
  readonly user: UserId
  readonly #messages: MessageStore
  readonly #receipts: ReceiptStore
  readonly #meta: { get(key: string): unknown }
  readonly #isAcknowledged: (message: AckQuery) => boolean
  readonly #acknowledged = new Set<MessageId>()

  /** @param parts - the indexes to read; see {@link ConversationReaderParts}. */
  constructor(parts: ConversationReaderParts) {
    this.user = parts.user
    this.#messages = parts.messages
    this.#receipts = parts.receipts
    this.#meta = parts.meta
    this.#isAcknowledged = parts.isAcknowledged
  }

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
    const m = this.#meta
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

  /** Records server acknowledgements; returns the ids that were new. For subclasses. */
  protected recordAcknowledged(ids: Iterable<MessageId>): MessageId[] {
    const added: MessageId[] = []
    for (const id of ids) {
      if (!this.#acknowledged.has(id)) {
        this.#acknowledged.add(id)
        added.push(id)
      }
    }
    return added
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
