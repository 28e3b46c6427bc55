import type { AuthorAttribution } from './author-attribution.js'
import type { InvalidUpdateReason } from './conversation-doc-events.js'
import { ParleyError } from './errors.js'
import { HybridLogicalClock } from './hlc.js'
import type { ConversationId, DeviceId, HlcStamp, MessageId, UserId } from './ids.js'
import type { AttachmentView } from './message-view.js'
import type { ConversationKind, MessageKind } from './schema.js'

/** What the acknowledgement predicate is told about a message. */
export interface AckQuery {
  readonly id: MessageId
  readonly author: UserId
  readonly device: DeviceId
  readonly hlc: HlcStamp
}

/** Options of `ConversationDoc`. */
export interface ConversationDocOptions {
  /** The conversation; becomes the Y.Doc `guid`. */
  id: ConversationId | string
  /** The local user (author of local writes). */
  user: UserId | string
  /** The local device. Must equal `clock.device` when a clock is given. */
  device: DeviceId | string
  /**
   * The device's clock. Share one clock between all conversations of a device, so stamps stay
   * monotonic across them. Default: a new clock built from `wallClock` and `maxDriftMs`.
   */
  clock?: HybridLogicalClock
  /** Wall clock for the default clock. Default `Date.now`. */
  wallClock?: () => number
  /** Drift bound for the default clock (see `HybridLogicalClockOptions`). Default 60_000 ms. */
  maxDriftMs?: number
  /**
   * The Yjs client id of local writes: one bound to this device on the server (docs/TRUST.md),
   * never used by an earlier run. Default: Yjs's random one.
   */
  clientId?: number
  /** Checks claimed authorship against who really wrote each update. Default: trust claims. */
  attribution?: AuthorAttribution
  /**
   * Whether the server holds a message (status `sent` or beyond), besides the ids passed to
   * `acknowledge()`. Default: messages sent from another device count as acknowledged (they
   * reached this device through the server or another device); this device's own messages
   * count only once `acknowledge()`d.
   */
  isAcknowledged?: (message: AckQuery) => boolean
  /** Member set from outside the document (the server's list); see `setMembers`. Optional. */
  members?: Iterable<UserId>
  /** New message ids. Default `newMessageId` (21 random url-safe characters). */
  newMessageId?: () => MessageId
  /** Receives errors thrown by event listeners and internal failures. Default: rethrown on a microtask. */
  onError?: (error: unknown) => void
}

/** What `send` takes. */
export interface SendInput {
  /** Text; may be empty only when there are attachments. */
  text: string
  /** The message this one answers. */
  replyTo?: MessageId
  /** Attachment metadata (upload the bytes elsewhere). */
  attachments?: readonly AttachmentView[]
  /** Default `text`. */
  kind?: MessageKind
  /** A caller-chosen id (e.g. to make a retried intent idempotent). Default: a new random id. */
  id?: MessageId
}

/** What `edit` takes: the new content, replacing text and attachments. */
export interface EditInput {
  text: string
  /** New attachments. Default: keep the current ones. */
  attachments?: readonly AttachmentView[]
}

/** What `initialize` takes. */
export interface InitializeInput {
  title?: string
  kind: ConversationKind
  /** The creator's display name, recorded with their membership. */
  name?: string
}

/** Result of `applyUpdate`; it never throws. */
export type ApplyUpdateResult =
  | { readonly ok: true }
  | {
      readonly ok: false
      /** Why; `closed` when the document was closed (nothing applied, nothing emitted). */
      readonly reason: InvalidUpdateReason | 'closed'
      /** Whether part of the update may have been applied (only for `apply-failed`). */
      readonly applied: boolean
    }

/** The clock of `options` (which must belong to `device`), or a new one for `device`. */
export function deviceClock(
  options: ConversationDocOptions,
  device: DeviceId,
  onError: (error: unknown) => void,
): HybridLogicalClock {
  const clock =
    options.clock ??
    new HybridLogicalClock({
      device,
      ...(options.wallClock ? { wallClock: options.wallClock } : {}),
      ...(options.maxDriftMs !== undefined ? { maxDriftMs: options.maxDriftMs } : {}),
      onError,
    })
  if (clock.device !== device) {
    throw new ParleyError('invalid-argument', `clock device ${clock.device} is not ${device}`)
  }
  return clock
}
