// The records stored in a conversation's Y.Doc and their validators. Records are plain objects
// (Yjs `ContentAny`), never nested Y types: they load and encode several times faster and take a
// fraction of the memory (docs/LAYOUT.md). Keys of per-message records are one letter, because
// every message pays for them on the wire and at rest (docs/MODEL.md lists them).
import { isHlcStamp } from './hlc-stamp.js'
import { isMessageId, isUserId, type HlcStamp, type MessageId, type UserId } from './ids.js'

/** Longest message text accepted, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 32_000
/** Most attachments on one message. */
export const MAX_ATTACHMENTS = 16
/** Longest attachment name / MIME type / URL accepted. */
export const MAX_ATTACHMENT_NAME = 255
/** @see MAX_ATTACHMENT_NAME */
export const MAX_MIME_LENGTH = 255
/** @see MAX_ATTACHMENT_NAME */
export const MAX_URL_LENGTH = 2048
/** Longest reaction (an emoji sequence, or a short code such as `:+1:`), in code units. */
export const MAX_REACTION_LENGTH = 32
/** Longest conversation title. */
export const MAX_TITLE_LENGTH = 200

/** Kinds of message: `text` is written by a user, `system` by the app (joins, renames…). */
export type MessageKind = 'text' | 'system'

/** Kinds of conversation. */
export type ConversationKind = 'direct' | 'group' | 'support' | 'comments'

/** Roles of a member. */
export type MemberRole = 'owner' | 'member'

/** Stored attachment metadata (the bytes live elsewhere, e.g. Supabase Storage). */
export interface AttachmentRecord {
  /** File name. */
  readonly n: string
  /** MIME type. */
  readonly m: string
  /** Size in bytes. */
  readonly s: number
  /** Where to fetch it, once uploaded. */
  readonly u?: string
}

/** A message as appended to a chunk; never changed in place (edits live in `edits`). */
export interface MessageRecord {
  /** Message id. */
  readonly i: MessageId
  /** Author (the claim; see `AuthorAttribution`). */
  readonly a: UserId
  /** HLC stamp of the send; it orders the conversation and names the sending device. */
  readonly h: HlcStamp
  /** Text. */
  readonly t: string
  /** Kind; absent means `text`. */
  readonly k?: 'system'
  /** The message this one replies to. */
  readonly r?: MessageId
  /** Attachments. */
  readonly f?: readonly AttachmentRecord[]
}

/** The latest edit of a message, stored under the message id in `edits`. */
export interface EditRecord {
  /** Message id (equals the key). */
  readonly i: MessageId
  /** Author of the edit; must equal the message's author. */
  readonly a: UserId
  /** HLC stamp of the edit; after the message's own stamp. */
  readonly h: HlcStamp
  /** New text. */
  readonly t: string
  /** New attachments (absent: none). */
  readonly f?: readonly AttachmentRecord[]
}

/**
 * What remains of a deleted message, stored under its id in `deleted`: enough to keep its place
 * and say who deleted it, and no content.
 */
export interface TombstoneRecord {
  /** Message id (equals the key). */
  readonly i: MessageId
  /** Author of the message and of the deletion. */
  readonly a: UserId
  /** The message's original send stamp (keeps its position in the order). */
  readonly h: HlcStamp
  /** HLC stamp of the deletion. */
  readonly x: HlcStamp
}

/** A reaction, stored under `messageId/userId/reaction` in `reactions`. */
export interface ReactionRecord {
  /** When it was added. */
  readonly at: HlcStamp
}

/** A device's receipt cursors, stored under `userId/deviceId` in `receipts`. */
export interface ReceiptRecord {
  /** Every message stamped at or before this has reached the device. */
  readonly delivered?: HlcStamp
  /** The user read every message stamped at or before this on the device. */
  readonly read?: HlcStamp
}

/** A member, stored under the user id in `members`. */
export interface MemberRecord {
  /** Role. */
  readonly role: MemberRole
  /** Who added them. */
  readonly addedBy: UserId
  /** When. */
  readonly addedAt: HlcStamp
  /** The member's display name, as they chose it (optional; at most {@link MAX_MEMBER_NAME}). */
  readonly name?: string
}

/** Longest member display name. */
export const MAX_MEMBER_NAME = 100

/** Why a record was refused by the view. */
export type RejectReason =
  /** The value does not match the record's schema. */
  | 'invalid-schema'
  /** The record's id does not match the key it is stored under. */
  | 'key-mismatch'
  /** An edit or delete claims an author other than the message's author. */
  | 'not-author'
  /** `AuthorAttribution` knows the writer of this record, and it is not who the record claims. */
  | 'attribution-mismatch'
  /** Two different messages claim the same id; the one sorting first by (stamp, author) is kept. */
  | 'duplicate-id'
  /** An edit whose stamp is not after the message's own. */
  | 'stale-edit'
  /** A message vanished from its chunk without a valid tombstone. */
  | 'delete-without-tombstone'
  /** A tombstone whose stamp does not match the message it deletes. */
  | 'tombstone-mismatch'

type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false }

const FAIL: Check<never> = { ok: false }

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  )
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT_LENGTH
}

function isAttachment(value: unknown): value is AttachmentRecord {
  if (!isPlainObject(value)) return false
  const { n, m, s, u } = value
  return (
    typeof n === 'string' &&
    n.length > 0 &&
    n.length <= MAX_ATTACHMENT_NAME &&
    typeof m === 'string' &&
    m.length > 0 &&
    m.length <= MAX_MIME_LENGTH &&
    typeof s === 'number' &&
    Number.isSafeInteger(s) &&
    s >= 0 &&
    (u === undefined || (typeof u === 'string' && u.length <= MAX_URL_LENGTH))
  )
}

function isAttachments(value: unknown): value is readonly AttachmentRecord[] {
  return Array.isArray(value) && value.length <= MAX_ATTACHMENTS && value.every(isAttachment)
}

/** Validates a chunk entry as a {@link MessageRecord}. */
export function checkMessageRecord(value: unknown): Check<MessageRecord> {
  if (!isPlainObject(value)) return FAIL
  const { i, a, h, t, k, r, f } = value
  if (!isMessageId(i) || !isUserId(a) || !isHlcStamp(h) || !isText(t)) return FAIL
  if (k !== undefined && k !== 'system') return FAIL
  if (r !== undefined && !isMessageId(r)) return FAIL
  if (f !== undefined && !isAttachments(f)) return FAIL
  if (t.length === 0 && (f === undefined || f.length === 0)) return FAIL
  return { ok: true, value: value as unknown as MessageRecord }
}

/** Validates an `edits` value stored under `key`. */
export function checkEditRecord(value: unknown): Check<EditRecord> {
  if (!isPlainObject(value)) return FAIL
  const { i, a, h, t, f } = value
  if (!isMessageId(i) || !isUserId(a) || !isHlcStamp(h) || !isText(t)) return FAIL
  if (f !== undefined && !isAttachments(f)) return FAIL
  if (t.length === 0 && (f === undefined || f.length === 0)) return FAIL
  return { ok: true, value: value as unknown as EditRecord }
}

/** Validates a `deleted` value. */
export function checkTombstoneRecord(value: unknown): Check<TombstoneRecord> {
  if (!isPlainObject(value)) return FAIL
  const { i, a, h, x } = value
  if (!isMessageId(i) || !isUserId(a) || !isHlcStamp(h) || !isHlcStamp(x)) return FAIL
  return { ok: true, value: value as unknown as TombstoneRecord }
}

/** Validates a `reactions` value. */
export function checkReactionRecord(value: unknown): Check<ReactionRecord> {
  if (!isPlainObject(value) || !isHlcStamp(value.at)) return FAIL
  return { ok: true, value: value as unknown as ReactionRecord }
}

/** Validates a `receipts` value. */
export function checkReceiptRecord(value: unknown): Check<ReceiptRecord> {
  if (!isPlainObject(value)) return FAIL
  const { delivered, read } = value
  if (delivered !== undefined && !isHlcStamp(delivered)) return FAIL
  if (read !== undefined && !isHlcStamp(read)) return FAIL
  return { ok: true, value: value as unknown as ReceiptRecord }
}

/** Validates a `members` value. */
export function checkMemberRecord(value: unknown): Check<MemberRecord> {
  if (!isPlainObject(value)) return FAIL
  const { role, addedBy, addedAt, name } = value
  if ((role !== 'owner' && role !== 'member') || !isUserId(addedBy) || !isHlcStamp(addedAt))
    return FAIL
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_MEMBER_NAME)) return FAIL
  return { ok: true, value: value as unknown as MemberRecord }
}

/** Whether `value` is an acceptable reaction string (non-empty, short, no `/`). */
export function isReaction(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_REACTION_LENGTH &&
    !value.includes('/')
  )
}

/** Whether `value` is an acceptable attachment list (the `f` field). */
export function isAttachmentList(value: unknown): value is readonly AttachmentRecord[] {
  return isAttachments(value)
}

/** Whether `value` is a conversation kind. */
export function isConversationKind(value: unknown): value is ConversationKind {
  return value === 'direct' || value === 'group' || value === 'support' || value === 'comments'
}
