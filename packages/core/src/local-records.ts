// Builders for the records local intents write. They validate with the same checks the view
// applies to arriving records, so a local write can never be one the view would reject.
import { ParleyError } from './errors.js'
import type { HlcStamp, MessageId, UserId } from './ids.js'
import type { AttachmentView } from './message-view.js'
import { maxHlcStamp } from './hlc-stamp.js'
import {
  MAX_MEMBER_NAME,
  checkEditRecord,
  checkMessageRecord,
  type AttachmentRecord,
  type EditRecord,
  type MemberRecord,
  type MemberRole,
  type MessageKind,
  type MessageRecord,
  type ReceiptRecord,
} from './schema.js'

/** Converts attachment views to stored records (`undefined` for none). */
export function toAttachmentRecords(
  list: readonly AttachmentView[] | undefined,
): AttachmentRecord[] | undefined {
  if (list === undefined || list.length === 0) return undefined
  return list.map((a) =>
    a.url === undefined
      ? { n: a.name, m: a.mime, s: a.size }
      : { n: a.name, m: a.mime, s: a.size, u: a.url },
  )
}

/** The content of a new message, as `send` receives it. */
export interface MessageContent {
  readonly text: string
  readonly replyTo?: MessageId
  readonly attachments?: readonly AttachmentView[]
  readonly kind?: MessageKind
}

/** Builds a valid {@link MessageRecord}; throws a `ParleyError` (`invalid-argument`) if it is not. */
export function buildMessageRecord(
  id: MessageId,
  author: UserId,
  stamp: HlcStamp,
  content: MessageContent,
): MessageRecord {
  const candidate: Record<string, unknown> = { i: id, a: author, h: stamp, t: content.text }
  if (content.kind === 'system') candidate.k = 'system'
  if (content.replyTo !== undefined) candidate.r = content.replyTo
  const attachments = toAttachmentRecords(content.attachments)
  if (attachments !== undefined) candidate.f = attachments
  const checked = checkMessageRecord(candidate)
  if (!checked.ok) {
    throw new ParleyError(
      'invalid-argument',
      'message does not match the schema (text, ids, attachments)',
    )
  }
  return checked.value
}

/** Builds a valid {@link EditRecord}; throws a `ParleyError` (`invalid-argument`) if it is not. */
export function buildEditRecord(
  id: MessageId,
  author: UserId,
  stamp: HlcStamp,
  text: string,
  attachments: readonly AttachmentRecord[] | undefined,
): EditRecord {
  const candidate: Record<string, unknown> = { i: id, a: author, h: stamp, t: text }
  if (attachments !== undefined && attachments.length > 0) candidate.f = attachments
  const checked = checkEditRecord(candidate)
  if (!checked.ok) throw new ParleyError('invalid-argument', 'edit does not match the schema')
  return checked.value
}

/** A member record; the display name is cut to {@link MAX_MEMBER_NAME}. */
export function buildMemberRecord(
  role: MemberRole,
  addedBy: UserId,
  addedAt: HlcStamp,
  name?: string,
): MemberRecord {
  return {
    role,
    addedBy,
    addedAt,
    ...(name !== undefined ? { name: name.slice(0, MAX_MEMBER_NAME) } : {}),
  }
}

/**
 * A device's receipt with `field` moved to `target` (cursors only move forward; reading implies
 * delivery), or `undefined` when nothing moves.
 */
export function movedReceipt(
  current: ReceiptRecord | undefined,
  field: 'delivered' | 'read',
  target: HlcStamp,
): ReceiptRecord | undefined {
  const next = { ...current, [field]: maxHlcStamp(current?.[field], target) }
  if (field === 'read') next.delivered = maxHlcStamp(next.delivered, next.read)
  if (next.delivered === current?.delivered && next.read === current?.read) return undefined
  return next
}
