// Realtime's REST broadcast endpoints (SUPABASE-PROTOCOL.md §1.7 "REST fallback and httpSend"):
// the batch endpoint supabase-js falls back to when a channel cannot push, and the per-event
// endpoint behind `channel.httpSend()`.
import type { RequestAuth } from '../db/database.js'
import { roomKey } from './channel-registry.js'
import type { RealtimeContext } from './realtime-context.js'
import { isJsonObject, type BroadcastPayload } from './realtime-message.js'

/** Status and JSON body of a REST answer; `body: null` means an empty body. */
export interface RealtimeHttpResponse {
  status: number
  body: unknown
}

/** A `POST /realtime/v1/api/broadcast/<topic>/events/<event>` request, already routed. */
export interface EventBroadcastRequest {
  /** Sub-topic (URL-decoded, without `realtime:`). */
  topic: string
  /** Event name (URL-decoded). */
  event: string
  /** The `private=true` query flag. */
  private: boolean
  /** The request's `Content-Type` header. */
  contentType: string | undefined
  /** The raw body. */
  body: Buffer
}

const UNAUTHORIZED: RealtimeHttpResponse = { status: 401, body: { message: 'Unauthorized' } }
const ACCEPTED: RealtimeHttpResponse = { status: 202, body: null }

interface BatchMessage {
  topic: string
  event: string
  payload: unknown
  private: boolean
  id?: unknown
}

/**
 * The batch endpoint: validates every message, write-checks private topics (denied ones are
 * dropped while the answer is still 202) and delivers the rest as text broadcasts.
 */
export async function batchBroadcast(
  ctx: RealtimeContext,
  body: unknown,
  auth: RequestAuth | null,
): Promise<RealtimeHttpResponse> {
  if (auth === null) return UNAUTHORIZED
  const messages = isJsonObject(body) ? body.messages : undefined
  if (!Array.isArray(messages)) return invalid({ messages: ['is invalid'] })
  const parsed: BatchMessage[] = []
  const errors: Record<string, string[]>[] = []
  for (const message of messages) {
    const problem = validateMessage(message)
    errors.push(problem)
    if (Object.keys(problem).length === 0) parsed.push(message as BatchMessage)
  }
  if (parsed.length !== messages.length) return invalid({ messages: errors })
  const sizes = parsed.map((message) => Buffer.byteLength(JSON.stringify(message.payload ?? {})))
  if (sizes.some((size) => size > ctx.limits.maxPayloadBytes)) {
    return invalid({ messages: ['Payload size exceeds tenant limit'] })
  }
  const allowed = new Map<string, Promise<boolean>>()
  for (const message of parsed) {
    const isPrivate = message.private === true
    if (isPrivate) {
      let check = allowed.get(message.topic)
      if (check === undefined) {
        check = mayWrite(ctx, auth, message.topic)
        allowed.set(message.topic, check)
      }
      if (!(await check)) continue
    }
    ctx.router.broadcast(roomKey(isPrivate, message.topic), {
      type: 'user-broadcast',
      wire: 'text',
      topic: `realtime:${message.topic}`,
      userEvent: message.event,
      meta: message.id === undefined ? null : { id: message.id },
      payload: { encoding: 'json', json: JSON.stringify(message.payload ?? {}) },
    })
  }
  return ACCEPTED
}

/** The per-event endpoint: one message, JSON or raw bytes, delivered as a kind-4 broadcast. */
export async function eventBroadcast(
  ctx: RealtimeContext,
  request: EventBroadcastRequest,
  auth: RequestAuth | null,
): Promise<RealtimeHttpResponse> {
  if (auth === null) return UNAUTHORIZED
  const type = (request.contentType ?? '').split(';')[0]?.trim().toLowerCase()
  let payload: BroadcastPayload
  if (type === 'application/json') {
    const text = request.body.toString('utf8')
    try {
      JSON.parse(text)
    } catch {
      return { status: 400, body: { error: 'Malformed JSON body' } }
    }
    payload = { encoding: 'json', json: text }
  } else if (type === 'application/octet-stream') {
    payload = { encoding: 'binary', bytes: new Uint8Array(request.body) }
  } else {
    return {
      status: 415,
      body: { error: 'Unsupported Media Type. Use application/json or application/octet-stream' },
    }
  }
  if (request.body.length > ctx.limits.maxPayloadBytes) {
    return invalid({ payload: ['Payload size exceeds tenant limit'] })
  }
  if (request.private && !(await mayWrite(ctx, auth, request.topic))) {
    return { status: 403, body: { message: 'Unauthorized' } }
  }
  ctx.router.broadcast(roomKey(request.private, request.topic), {
    type: 'user-broadcast',
    wire: 'binary',
    topic: `realtime:${request.topic}`,
    userEvent: request.event,
    meta: null,
    payload,
  })
  return ACCEPTED
}

function invalid(errors: Record<string, unknown>): RealtimeHttpResponse {
  return { status: 422, body: { errors } }
}

function validateMessage(message: unknown): Record<string, string[]> {
  if (!isJsonObject(message)) return { message: ['is invalid'] }
  const problems: Record<string, string[]> = {}
  if (typeof message.topic !== 'string' || message.topic === '') problems.topic = ["can't be blank"]
  if (typeof message.event !== 'string' || message.event === '') problems.event = ["can't be blank"]
  if (message.payload !== undefined && !isJsonObject(message.payload)) {
    problems.payload = ['is invalid']
  }
  if (message.private !== undefined && typeof message.private !== 'boolean') {
    problems.private = ['is invalid']
  }
  return problems
}

async function mayWrite(ctx: RealtimeContext, auth: RequestAuth, topic: string): Promise<boolean> {
  if (auth.role === 'service_role') return true
  try {
    return await ctx.authorize({ auth, topic, extension: 'broadcast', write: true })
  } catch (error) {
    ctx.logger.error('realtime: REST write check failed', { error, topic })
    return false
  }
}
