// One hot conversation inside the engine: its ConversationDoc, its awareness (presence, typing),
// what of it is durable, and which of its messages are pending or failed. The engine owns the
// policy (persisting, broadcasting, compacting); the session keeps the per-conversation state.
import { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { ConversationDoc } from '../conversation-doc.js'
import type { HybridLogicalClock } from '../hlc.js'
import type { ConversationId, DeviceId, MessageId, UserId } from '../ids.js'
import type { MessagePage, MessageView } from '../message-view.js'
import { STORAGE_ORIGIN } from '../transaction-origin.js'
import type {
  ConversationState,
  MessageFailure,
  MessageItem,
  MessageItemPage,
  PresenceEntry,
} from './engine-types.js'
import type { StoredDoc } from './storage-records.js'
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
  clock: HybridLogicalClock
  /** Message ids of this device still waiting in the outbox (not acknowledged by the server). */
  pending: Set<MessageId>
  wallClock: () => number
  onError: (error: unknown) => void
}

/** State of one open conversation. Create with {@link ConversationSession.hydrate}. */
export class ConversationSession {
  readonly id: ConversationId
  readonly doc: ConversationDoc
  readonly awareness: Awareness
  /** Messages of this device still in the outbox: status `sending`. */
  readonly pending: Set<MessageId>
  /** Messages whose change could not be stored or was rejected: status `failed`. */
  readonly failed = new Map<MessageId, MessageFailure>()
  /** Updates made in memory whose commit failed; retried by `Engine.retry`. */
  readonly unsaved: { update: Uint8Array; messageIds: readonly MessageId[] }[] = []
  /** Log rows written since the last snapshot (drives compaction). */
  logRows = 0
  /** Key of the newest log row known to be in the document. */
  lastKey: number | null = null
  /** Whether a compaction is running. */
  compacting = false
  /** State vector of what storage holds: the next log row is the document's diff from it. */
  persistedSv: Uint8Array = new Uint8Array([0])
  /** This replica's Yjs clock already covered by the outbox (local changes after it are not). */
  outboxClock = 0
  #unread: number | undefined
  /** Bytes of the stored snapshot and of the log rows written since (drive compaction). */
  snapshotBytes = 0
  logBytes = 0
  readonly #wallClock: () => number

  private constructor(options: ConversationSessionOptions) {
    this.id = options.id
    this.pending = options.pending
    this.#wallClock = options.wallClock
    this.doc = new ConversationDoc({
      id: options.id,
      user: options.user,
      device: options.device,
      clock: options.clock,
      // Another device's message reached us through the server or a peer; ours is acknowledged
      // once it left the outbox.
      isAcknowledged: (m) => m.device !== options.device || !options.pending.has(m.id),
      onError: options.onError,
    })
    this.awareness = new Awareness(this.doc.ydoc)
    this.awareness.setLocalState({
      user: options.user,
      device: options.device,
      status: 'online',
      typingUntil: 0,
    } satisfies AwarenessState)
  }

  /**
   * Builds the session from what storage holds. Each row is applied on its own (PERFORMANCE.md
   * §8.3: never load a large log inside one Y transaction). Rows that fail validation are skipped
   * and reported by the document; they cannot take the rest down.
   */
  static hydrate(
    options: ConversationSessionOptions,
    stored: StoredDoc,
    outboxUpdates: readonly Uint8Array[],
  ): ConversationSession {
    const session = new ConversationSession(options)
    for (const snapshot of stored.snapshots)
      session.doc.applyUpdate(snapshot.update, STORAGE_ORIGIN)
    for (const row of stored.log) session.doc.applyUpdate(row.update, STORAGE_ORIGIN)
    // Taken before the outbox is applied: a change found only in the outbox is then part of the
    // next log row, so it reaches the log too.
    session.persistedSv = session.doc.encodeStateVector()
    session.outboxClock = session.localClock()
    // An adapter without atomic commits may hold a change only in the outbox (see
    // StorageCapabilities.atomicCommit); Yjs updates are idempotent, so applying them is safe.
    for (const update of outboxUpdates) session.doc.applyUpdate(update, STORAGE_ORIGIN)
    session.logRows = stored.log.length
    session.snapshotBytes = stored.snapshots.reduce((n, s) => n + s.update.byteLength, 0)
    session.logBytes = stored.log.reduce((n, r) => n + r.update.byteLength, 0)
    const last = stored.log.at(-1)
    session.lastKey = last === undefined ? null : last.key
    return session
  }

  /** The Yjs clock of this replica's own client: everything it wrote locally is below it. */
  localClock(): number {
    const ydoc = this.doc.ydoc
    return Y.decodeStateVector(Y.encodeStateVector(ydoc)).get(ydoc.clientID) ?? 0
  }

  /**
   * This replica's own changes since `fromClock` as one update (with the document's delete set,
   * which Yjs always includes): what the outbox must push. Cost is proportional to the changes.
   */
  localChangesSince(fromClock: number): Uint8Array {
    const ydoc = this.doc.ydoc
    const sv = Y.decodeStateVector(Y.encodeStateVector(ydoc))
    sv.set(ydoc.clientID, fromClock)
    return Y.encodeStateAsUpdate(ydoc, Y.encodeStateVector(sv))
  }

  /** Unread messages of the local user, cached until something that can change it happens. */
  unreadCount(): number {
    return (this.#unread ??= this.doc.unreadCount())
  }

  /** Forgets the cached unread count (remote messages or receipts changed). */
  invalidateUnread(): void {
    this.#unread = undefined
  }

  /** The engine's view of one message: the model view with `failed` overlaid. */
  item(view: MessageView): MessageItem {
    const failure = this.failed.get(view.id)
    return failure === undefined ? view : Object.freeze({ ...view, status: 'failed', failure })
  }

  /** A model page turned into engine items. */
  itemPage(page: MessagePage): MessageItemPage {
    if (this.failed.size === 0) return page
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
