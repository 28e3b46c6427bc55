// The message list of one `useMessages` call: the live newest page of the conversation merged
// with the older pages the user scrolled back to. Plain TypeScript shaped for
// `useSyncExternalStore`, so its rules are testable without React.
import type { ConversationState, MessageItem, MessageItemPage } from '@parley/core'
import type { PageQuery } from '@parley/worker/client'
import { toError } from '../parley-react-error.js'
import type { LiveSnapshot, LiveStore } from './live-store.js'
import { inOrder, mergeOrdered } from './message-order.js'

/** What `useMessages` renders from. @internal */
export interface MessageListSnapshot {
  readonly messages: readonly MessageItem[]
  readonly hasOlder: boolean
  readonly loading: boolean
  readonly loadingOlder: boolean
  readonly error: Error | undefined
}

const EMPTY: readonly MessageItem[] = Object.freeze([])

/**
 * Rules:
 * - the live page (from the conversation's subscription) holds the freshest copy of its
 *   messages, and replaces any older copy of the same id;
 * - a message that slides out of the live page as newer ones arrive is kept (as last seen), so no
 *   hole opens between the older pages and the live page;
 * - if a new live page shares no message with the previous one while older messages exist, more
 *   arrived at once than a page holds and the gap is unknown: the history is dropped and the list
 *   restarts from the live page, rather than show a conversation with a silent hole.
 * @internal
 */
export class MessageList {
  readonly #conversation: LiveStore<ConversationState>
  readonly #loadPage: (query: PageQuery) => Promise<MessageItemPage>
  readonly #pageSize: number
  readonly #listeners = new Set<() => void>()
  #seen: LiveSnapshot<ConversationState> | undefined
  #applied: ConversationState | undefined
  /** Messages outside the live page, in order. */
  #history: MessageItem[] = []
  #live: MessageItem[] = []
  /** Whether messages exist before the oldest one held. */
  #oldestHasBefore = false
  #older: Promise<void> | undefined
  #olderError: Error | undefined
  /** Bumped when the history is dropped, so a page loaded for the old history is ignored. */
  #epoch = 0
  #snapshot: MessageListSnapshot = {
    messages: EMPTY,
    hasOlder: false,
    loading: true,
    loadingOlder: false,
    error: undefined,
  }
  #unsubscribe: (() => void) | undefined

  constructor(
    conversation: LiveStore<ConversationState>,
    loadPage: (query: PageQuery) => Promise<MessageItemPage>,
    pageSize: number,
  ) {
    this.#conversation = conversation
    this.#loadPage = loadPage
    this.#pageSize = pageSize
  }

  /** The current snapshot; the same object until something changes. */
  readonly getSnapshot = (): MessageListSnapshot => {
    this.#sync()
    return this.#snapshot
  }

  /** Adds a listener; the first one subscribes to the conversation. Returns its removal. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    if (this.#listeners.size === 1) {
      this.#unsubscribe = this.#conversation.subscribe(() => {
        if (this.#sync()) this.#notify()
      })
    }
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0) {
        this.#unsubscribe?.()
        this.#unsubscribe = undefined
      }
    }
  }

  /** Loads the page before the oldest message held. Never rejects: failures land in `error`. */
  readonly loadOlder = (): Promise<void> => {
    this.#sync()
    if (this.#older !== undefined) return this.#older
    const first = this.#snapshot.messages[0]
    if (first === undefined || !this.#snapshot.hasOlder) return Promise.resolve()
    const epoch = this.#epoch
    const older = this.#loadPage({
      before: { hlc: first.hlc, id: first.id },
      limit: this.#pageSize,
    })
      .then(
        (page) => {
          if (epoch !== this.#epoch) return
          const liveIds = new Set(this.#live.map((message) => message.id))
          const loaded = inOrder(page.messages).filter((message) => !liveIds.has(message.id))
          this.#history = mergeOrdered(this.#history, loaded)
          this.#oldestHasBefore = page.messages.length > 0 && page.hasBefore
          this.#olderError = undefined
        },
        (reason: unknown) => {
          if (epoch !== this.#epoch) return
          this.#olderError = toError(reason)
        },
      )
      .finally(() => {
        this.#older = undefined
        this.#rebuild()
        this.#notify()
      })
    this.#older = older
    this.#rebuild()
    this.#notify()
    return older
  }

  /** Applies the conversation's latest snapshot if it changed; returns whether ours changed. */
  #sync(): boolean {
    const seen = this.#conversation.getSnapshot()
    if (seen === this.#seen) return false
    this.#seen = seen
    const state = seen.value
    if (state !== undefined && state !== this.#applied) this.#applyLive(state)
    return this.#rebuild()
  }

  #applyLive(state: ConversationState): void {
    const live = inOrder(state.page.messages)
    const liveIds = new Set(live.map((message) => message.id))
    const previous = this.#live
    const overlaps = previous.some((message) => liveIds.has(message.id))
    if (previous.length > 0 && live.length > 0 && !overlaps && state.page.hasBefore) {
      this.#history = []
      this.#epoch++
    } else {
      const left = previous.filter((message) => !liveIds.has(message.id))
      this.#history = mergeOrdered(this.#history, left).filter((m) => !liveIds.has(m.id))
    }
    if (this.#history.length === 0) this.#oldestHasBefore = state.page.hasBefore
    this.#live = live
    this.#applied = state
  }

  /** Builds the snapshot; returns whether it differs from the previous one. */
  #rebuild(): boolean {
    const seen = this.#seen
    const messages =
      this.#history.length === 0
        ? this.#live
        : this.#live.length === 0
          ? this.#history
          : mergeOrdered(this.#history, this.#live)
    const next: MessageListSnapshot = {
      messages: messages.length === 0 ? EMPTY : messages,
      hasOlder: this.#oldestHasBefore,
      loading: this.#applied === undefined && (seen?.loading ?? true),
      loadingOlder: this.#older !== undefined,
      error: this.#olderError ?? seen?.error,
    }
    const previous = this.#snapshot
    if (
      next.hasOlder === previous.hasOlder &&
      next.loading === previous.loading &&
      next.loadingOlder === previous.loadingOlder &&
      next.error === previous.error &&
      sameItems(next.messages, previous.messages)
    ) {
      return false
    }
    this.#snapshot = next
    return true
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener()
  }
}

function sameItems(a: readonly MessageItem[], b: readonly MessageItem[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
