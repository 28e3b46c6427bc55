// One hot conversation inside the engine: its ConversationDoc, its awareness (presence, typing),
// and which of its messages are pending or failed. The engine owns the policy (broadcasting,
// statuses), the write path owns what is durable; the session keeps the per-conversation view.
import { Awareness } from 'y-protocols/awareness'
import { ConversationDoc } from '../conversation-doc.js'
import type { HybridLogicalClock } from '../hlc.js'
import type { ConversationId, DeviceId, MessageId, UserId } from '../ids.js'
import type { MessagePage, MessageView, PageCursor } from '../message-view.js'
import type {
  ConversationState,
  MessageFailure,
  MessageItem,
  MessageItemPage,
  PresenceEntry,
} from './engine-types.js'
import { TAIL_RECORD_VERSION, type TailRecord } from './tail-record.js'

/** The awareness state one device publishes per conversation. */
export interface AwarenessState {
  user: UserId
  device: DeviceId
  status: 'online' | 'away'
  /** Typing until this wall-clock time (ms), or 0. */
  typingUntil: number
}

/** Options of {@link ConversationSession}. */
export interface ConversationSessionOptions {
  id: ConversationId
  user: UserId
  device: DeviceId
  /** The Yjs client id of this engine run (bound to the device on the server). */
  clientId?: number
  clock: HybridLogicalClock
  /** Message ids of this device still waiting in the outbox (not acknowledged by the server). */
  pending?: Iterable<MessageId>
  /** Messages the server refused for good (read from the stored outbox). */
  failures?: Iterable<[MessageId, MessageFailure]>
  wallClock: () => number
  onError: (error: unknown) => void
}

/**
 * State of one open conversation: its document, its awareness, and the delivery state of this
 * device's messages (`sending` while in the outbox, `failed` with a reason). The engine changes
 * that state only through the methods below. What of the document is durable is the write path's
 * (`LocalStore`), not the session's.
 */
export class ConversationSession {
  readonly id: ConversationId
  readonly doc: ConversationDoc
  readonly awareness: Awareness
  /** Messages of this device still in the outbox: status `sending`. */
  readonly #pending: Set<MessageId>
  /** Messages whose change could not be stored or was rejected: status `failed`. */
  readonly #failed: Map<MessageId, MessageFailure>
  #unread: number | undefined
  readonly #wallClock: () => number

  constructor(options: ConversationSessionOptions) {
    this.id = options.id
    const pending = (this.#pending = new Set(options.pending))
    this.#failed = new Map(options.failures)
    this.#wallClock = options.wallClock
    this.doc = new ConversationDoc({
      id: options.id,
      user: options.user,
      device: options.device,
      ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
      clock: options.clock,
      // Another device's message reached us through the server or a peer; ours is acknowledged
      // once it left the outbox.
      isAcknowledged: (m) => m.device !== options.device || !pending.has(m.id),
      onError: options.onError,
    })
    // The unread count is cached until something that can change it happens: messages or
    // receipts from elsewhere (a local send or read does not change the local user's unread).
    this.doc.on('messages-changed', ({ origin }) => {
      if (origin.source !== 'local') this.#unread = undefined
    })
    this.doc.on('receipts-changed', () => {
      this.#unread = undefined
    })
    this.awareness = new Awareness(this.doc.ydoc)
    this.awareness.setLocalState({
      user: options.user,
      device: options.device,
      status: 'online',
      typingUntil: 0,
    } satisfies AwarenessState)
  }

  /** A local change of these messages is on its way to the outbox: they show `sending`. */
  markPending(ids: readonly MessageId[]): void {
    for (const id of ids) this.#pending.add(id)
  }

  /** The server holds these messages now: `sent` (or beyond). */
  acknowledge(ids: readonly MessageId[]): void {
    for (const id of ids) this.#pending.delete(id)
    this.doc.acknowledge(ids)
  }

  /** Marks messages `failed` with `failure`; returns how many were not failed before. */
  fail(ids: readonly MessageId[], failure: MessageFailure): number {
    let added = 0
    for (const id of ids) {
      if (!this.#failed.has(id)) added++
      this.#failed.set(id, failure)
    }
    return added
  }

  /** Their changes are durable after all (a retry): no longer `failed`. Returns how many were. */
  clearFailures(ids: readonly MessageId[]): number {
    let cleared = 0
    for (const id of ids) if (this.#failed.delete(id)) cleared++
    return cleared
  }

  /** Unread messages of the local user, cached until something that can change it happens. */
  unreadCount(): number {
    return (this.#unread ??= this.doc.unreadCount())
  }

  /** The engine's view of one message: the model view with `failed` overlaid. */
  item(view: MessageView): MessageItem {
    const failure = this.#failed.get(view.id)
    return failure === undefined ? view : Object.freeze({ ...view, status: 'failed', failure })
  }

  /** A page of messages before or after a cursor, or the newest page. */
  page(query: { before?: PageCursor; after?: PageCursor; limit: number }): MessageItemPage {
    const { doc } = this
    const page =
      query.before !== undefined
        ? doc.pageBefore(query.before, query.limit)
        : query.after !== undefined
          ? doc.pageAfter(query.after, query.limit)
          : doc.lastPage(query.limit)
    return this.itemPage(page)
  }

  /** A model page turned into engine items. */
  itemPage(page: MessagePage): MessageItemPage {
    if (this.#failed.size === 0) return page
    return Object.freeze({ ...page, messages: page.messages.map((m) => this.item(m)) })
  }

  /** The tail record for storage: the newest `size` messages and what the list needs. */
  tail(size: number): TailRecord {
    const page = this.itemPage(this.doc.lastPage(size))
    return {
      v: TAIL_RECORD_VERSION,
      meta: this.doc.meta(),
      messages: [...page.messages],
      hasBefore: page.hasBefore,
      unreadCount: this.unreadCount(),
    }
  }

  /** The display names its members recorded, for those in `wanted` not in `names` yet. */
  collectNames(wanted: ReadonlySet<string>, names: Record<string, string>): void {
    for (const member of this.doc.members()) {
      const name = member.name
      if (wanted.has(member.user) && typeof name === 'string' && names[member.user] === undefined)
        names[member.user] = name
    }
  }

  /** Other devices present in the conversation (typing expires by wall clock). */
  presence(): PresenceEntry[] {
    const now = this.#wallClock()
    const entries: PresenceEntry[] = []
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === this.awareness.clientID || !isAwarenessState(state)) continue
      entries.push({
        user: state.user,
        device: state.device,
        status: state.status,
        typing: state.typingUntil > now,
      })
    }
    return entries.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0))
  }

  /** Updates this device's awareness fields. */
  setLocalAwareness(patch: Partial<Pick<AwarenessState, 'status' | 'typingUntil'>>): void {
    const current = this.awareness.getLocalState()
    if (!isAwarenessState(current)) return
    this.awareness.setLocalState({ ...current, ...patch })
  }

  /** The state snapshot a UI renders. */
  state(pageSize: number): ConversationState {
    return Object.freeze({
      id: this.id,
      meta: this.doc.meta(),
      page: this.itemPage(this.doc.lastPage(pageSize)),
      unreadCount: this.unreadCount(),
      presence: this.presence(),
      members: Object.freeze(this.doc.members()),
      fromTail: false,
    })
  }

  /** Releases the document and the awareness timers. Idempotent. */
  close(): void {
    // Announce our departure to peers still listening, then stop the awareness interval.
    this.awareness.setLocalState(null)
    this.awareness.destroy()
    this.doc.close()
  }
}

/** Whether an awareness state has Parley's shape (remote states are untrusted). */
export function isAwarenessState(value: unknown): value is AwarenessState {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Partial<AwarenessState>
  return (
    typeof s.user === 'string' &&
    typeof s.device === 'string' &&
    (s.status === 'online' || s.status === 'away') &&
    typeof s.typingUntil === 'number'
  )
}
