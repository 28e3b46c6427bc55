// Where the rules meet a document: each update from another device is judged, then applied,
// refused, or held until the structs it refers to arrive. Held updates are judged again after
// every update that is applied, so an update and its dependencies may come in any order.
import type * as Y from 'yjs'
import { checkUpdate } from './update-rules.js'
import type { RuleViolation, TrustDirectory, UpdateSender } from './trust-types.js'

/** What a gate does with its verdicts. */
export interface UpdateGateHandlers<Tag> {
  /** Applies an accepted update to the document. */
  apply(update: Uint8Array, sender: UpdateSender, tag: Tag): void
  /** An update was refused (or dropped after waiting too long). */
  rejected(tag: Tag, reason: RuleViolation, detail: string, sender: UpdateSender): void
  /** Most updates held at once; the oldest is dropped as `unresolved` beyond it. Default 256. */
  maxHeld?: number
}

interface Held<Tag> {
  update: Uint8Array
  sender: UpdateSender
  tag: Tag
}

/** The verdicts of one gate's `admit`. */
export type Admission = 'applied' | 'held' | 'rejected'

/** Judges and applies updates of one document. `Tag` identifies an update to the handlers. */
export class UpdateGate<Tag> {
  readonly #doc: Y.Doc
  readonly #directory: TrustDirectory
  readonly #handlers: UpdateGateHandlers<Tag>
  readonly #maxHeld: number
  #held: Held<Tag>[] = []

  constructor(doc: Y.Doc, directory: TrustDirectory, handlers: UpdateGateHandlers<Tag>) {
    this.#doc = doc
    this.#directory = directory
    this.#handlers = handlers
    this.#maxHeld = handlers.maxHeld ?? 256
  }

  /** Judges `update` from `sender`: applies it (and whatever held update it unblocks), holds or refuses it. */
  admit(update: Uint8Array, sender: UpdateSender, tag: Tag): Admission {
    const verdict = checkUpdate(this.#doc, update, sender, this.#directory)
    switch (verdict.status) {
      case 'reject':
        this.#handlers.rejected(tag, verdict.reason, verdict.detail, sender)
        return 'rejected'
      case 'hold':
        this.#held.push({ update, sender, tag })
        if (this.#held.length > this.#maxHeld) {
          const dropped = this.#held.shift()!
          this.#handlers.rejected(dropped.tag, 'unresolved', 'held too long', dropped.sender)
        }
        return 'held'
      case 'accept':
        this.#handlers.apply(update, sender, tag)
        this.#retryHeld()
        return 'applied'
    }
  }

  /** The tags of the updates held now, oldest first. */
  heldTags(): Tag[] {
    return this.#held.map((h) => h.tag)
  }

  /** Judges the held updates again until none moves (each applied one may unblock others). */
  #retryHeld(): void {
    let progress = true
    while (progress && this.#held.length > 0) {
      progress = false
      const waiting = this.#held
      this.#held = []
      for (const h of waiting) {
        const verdict = checkUpdate(this.#doc, h.update, h.sender, this.#directory)
        if (verdict.status === 'hold') this.#held.push(h)
        else {
          progress = true
          if (verdict.status === 'accept') this.#handlers.apply(h.update, h.sender, h.tag)
          else this.#handlers.rejected(h.tag, verdict.reason, verdict.detail, h.sender)
        }
      }
    }
  }
}
