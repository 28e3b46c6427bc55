// Builders for the records local intents write. They validate with the same checks the view
// applies to arriving records, so a local write can never be one the view would reject.
import { ParleyError } from './errors.js'
import type { HlcStamp, MessageId, UserId } from './ids.js'
import type { AttachmentView } from './message-view.js'
import {
  checkEditRecord,
  checkMessageRecord,
  type AttachmentRecord,
  type EditRecord,
  type MessageKind,
  type MessageRecord,
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
