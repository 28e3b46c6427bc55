// The engine's hot set: the conversations whose documents are in memory, bounded by
// `maxOpenConversations`. It owns which sessions are open, which are being opened (concurrent
// opens share one hydration), which a UI pins, and their recency; the engine decides what
// closing one means (leaving channels, detaching the write path).
import type { ConversationId } from '../ids.js'
import type { ConversationSession } from './conversation-session.js'
import { RecencyList } from './lru.js'

/** The open sessions of an engine. */
export class HotSessions {
  readonly #max: number
  readonly #sessions = new Map<ConversationId, ConversationSession>()
  readonly #opening = new Map<ConversationId, Promise<ConversationSession>>()
  readonly #recency = new RecencyList<ConversationId>()
  readonly #pins = new Map<ConversationId, number>()

  /** @param max - sessions kept beyond which the least recently used idle ones are evicted. */
  constructor(max: number) {
    this.#max = max
  }

  /** The open session of `id`, without marking it used. */
  get(id: ConversationId): ConversationSession | undefined {
    return this.#sessions.get(id)
  }

  /** Every open session. */
  values(): IterableIterator<ConversationSession> {
    return this.#sessions.values()
  }

  /** Ids of the open sessions. */
  ids(): ConversationId[] {
    return [...this.#sessions.keys()]
  }

  /**
   * The session of `id`, marked used: the open one, or the one `hydrate` builds (called once
   * however many callers wait; the hydration adds it with `add`).
   */
  open(
    id: ConversationId,
    hydrate: (id: ConversationId) => Promise<ConversationSession>,
  ): Promise<ConversationSession> {
    const hot = this.#sessions.get(id)
    if (hot) {
      this.#recency.touch(id)
      return Promise.resolve(hot)
    }
    let opening = this.#opening.get(id)
    if (!opening) {
      opening = hydrate(id).finally(() => this.#opening.delete(id))
      this.#opening.set(id, opening)
    }
    return opening
  }

  /** Marks `id` as used now. */
  touch(id: ConversationId): void {
    this.#recency.touch(id)
  }

  /** Adds a hydrated session, as the most recently used. */
  add(session: ConversationSession): void {
    this.#sessions.set(session.id, session)
    this.#recency.touch(session.id)
  }

  /** Removes a session (the caller closes it); returns it if it was open. */
  remove(id: ConversationId): ConversationSession | undefined {
    const session = this.#sessions.get(id)
    this.#sessions.delete(id)
    this.#recency.delete(id)
    return session
  }

  /** Keeps `id` from eviction until the returned function is called (idempotent). */
  pin(id: ConversationId): () => void {
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#pins.get(id) ?? 1) - 1
      if (left <= 0) this.#pins.delete(id)
      else this.#pins.set(id, left)
    }
  }

  /**
   * Removes the least recently used sessions beyond the bound, skipping pinned ones, `keep` (the
   * one just opened) and those `busy` says could lose a change; returns them for the caller to close.
   */
  evict(busy: (id: ConversationId) => boolean, keep?: ConversationId): ConversationSession[] {
    let excess = this.#sessions.size - this.#max
    const evicted: ConversationSession[] = []
    if (excess <= 0) return evicted
    for (const id of this.#recency.leastRecentFirst()) {
      if (excess <= 0) break
      if (!this.#sessions.has(id) || id === keep || this.#pins.has(id) || busy(id)) continue
      evicted.push(this.remove(id)!)
      excess--
    }
    return evicted
  }

  /** Forgets every session (the caller has closed them). */
  /**
   * Display names of `userIds` as the open conversations know them (each member records its own
   * name when it joins), after the names already in `names`.
   */
  collectNames(userIds: readonly string[], names: Record<string, string>): Record<string, string> {
    const wanted = new Set(userIds)
    for (const session of this.#sessions.values()) session.collectNames(wanted, names)
    return names
  }

  clear(): void {
    this.#sessions.clear()
  }
}
