// A Mailpit-compatible HTTP API over the emulator's {@link Mailbox} (SUPABASE-PROTOCOL-2 §3.7), so a
// test written against `supabase start`'s Mailpit reads the same JSON here. Served below
// `/mailpit` on the API port (Mailpit's own `--webroot` convention) rather than on a second port:
// an emulator started on port 0 then needs no second free port, and the URL follows from
// `emulator.url`. Like Mailpit it needs no API key.
import type { EmulatorRequest, RouteHandler } from '../http/emulator-request.js'
import { isHttpError } from '../http/http-error.js'
import { sendJson, sendText } from '../http/send.js'
import type { Mailbox, MailMessage } from './mailbox.js'

/** Path prefix of the mail API on the emulator's port. */
export const MAIL_PATH_PREFIX = '/mailpit'

/** Default page size of Mailpit's list and search endpoints. */
const DEFAULT_LIMIT = 50
const SNIPPET_LENGTH = 250

/**
 * Creates the handler for the paths below {@link MAIL_PATH_PREFIX}:
 * `GET /api/v1/messages`, `DELETE /api/v1/messages`, `GET /api/v1/search?query=…`,
 * `GET /api/v1/message/{ID|latest}`. Anything else answers `404` in plain text, as Mailpit does.
 */
export function createMailHandler(mailbox: Mailbox): RouteHandler {
  return async (request) => {
    const { req, res, path, url } = request
    const method = req.method ?? 'GET'
    if (path === '/api/v1/messages' && (method === 'GET' || method === 'HEAD')) {
      return sendJson(res, 200, listAnswer(mailbox, mailbox.list(), url))
    }
    if (path === '/api/v1/messages' && method === 'DELETE') {
      const ids = await readIds(request)
      if (ids === undefined) return sendText(res, 400, 'invalid IDs', 'text/plain; charset=utf-8')
      mailbox.delete(ids)
      return sendText(res, 200, 'ok', 'text/plain; charset=utf-8')
    }
    if (path === '/api/v1/search' && (method === 'GET' || method === 'HEAD')) {
      const query = url.searchParams.get('query') ?? ''
      if (query.trim() === '') return sendText(res, 400, 'no search query', 'text/plain')
      return sendJson(res, 200, listAnswer(mailbox, mailbox.search(query), url))
    }
    const single = /^\/api\/v1\/message\/([^/]+)$/.exec(path)
    if (single?.[1] && (method === 'GET' || method === 'HEAD')) {
      const message = mailbox.get(decodeURIComponent(single[1]))
      if (!message) return sendText(res, 404, 'message not found', 'text/plain; charset=utf-8')
      message.read = true
      return sendJson(res, 200, fullMessage(message))
    }
    return sendText(res, 404, '404 page not found', 'text/plain; charset=utf-8')
  }
}

/** Mailpit's `MessagesSummary`: one page of `found` plus mailbox totals. */
function listAnswer(mailbox: Mailbox, found: readonly MailMessage[], url: URL) {
  const start = nonNegative(url.searchParams.get('start'), 0)
  const limit = nonNegative(url.searchParams.get('limit'), DEFAULT_LIMIT) || DEFAULT_LIMIT
  const page = found.slice(start, start + limit)
  const all = mailbox.list()
  return {
    total: all.length,
    unread: all.filter((m) => !m.read).length,
    count: page.length,
    messages_count: found.length,
    start,
    tags: [],
    messages: page.map(summary),
  }
}

/** Mailpit's per-message summary (list and search rows). */
function summary(message: MailMessage) {
  return {
    ID: message.id,
    MessageID: message.messageId,
    Read: message.read,
    From: message.from,
    To: message.to,
    Cc: [],
    Bcc: [],
    ReplyTo: [],
    Subject: message.subject,
    Created: message.created.toISOString(),
    Tags: [],
    Size: message.size,
    Attachments: 0,
    Snippet: message.text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH),
  }
}

/** Mailpit's full `Message`, with both bodies. */
function fullMessage(message: MailMessage) {
  return {
    ID: message.id,
    MessageID: message.messageId,
    From: message.from,
    To: message.to,
    Cc: [],
    Bcc: [],
    ReplyTo: [],
    ReturnPath: message.from.Address,
    Subject: message.subject,
    ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
    Date: message.created.toISOString(),
    Tags: [],
    Text: message.text,
    HTML: message.html,
    Size: message.size,
    Inline: [],
    Attachments: [],
  }
}

/** The `{"IDs": […]}` body of a delete; an empty body means "all". Undefined when malformed. */
async function readIds(request: EmulatorRequest): Promise<string[] | undefined> {
  let raw: Buffer
  try {
    raw = await request.body()
  } catch (error) {
    if (isHttpError(error)) return undefined
    throw error
  }
  const text = raw.toString('utf8').trim()
  if (text === '') return []
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const ids = (parsed as { IDs?: unknown }).IDs
  if (ids === undefined || ids === null) return []
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return undefined
  return ids
}

function nonNegative(raw: string | null, fallback: number): number {
  const value = Number(raw ?? fallback)
  return Number.isInteger(value) && value >= 0 ? value : fallback
}
