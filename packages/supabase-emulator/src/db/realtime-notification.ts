// The NOTIFY message that announces a broadcast written to realtime.messages (by realtime.send,
// realtime.send_binary or any insert with extension 'broadcast'), and its decoding. The emulator's
// Realtime listens on REALTIME_NOTIFY_CHANNEL and fans each one out, as Supabase Realtime does
// from logical replication. Format (JSON text, version 1):
//   {"v":1,"id":"<uuid>","topic":"<sub-topic>","event":"<event>","private":true,
//    "extension":"broadcast","binary":false,"payload":{…}}
//   binary rows: "binary":true,"binary_payload":"<base64>"
//   over REALTIME_NOTIFY_INLINE_LIMIT bytes: no payload fields, "payload_omitted":true — read
//   the row by id (resolveRealtimeNotification does).
import type { Queryable } from './database.js'

/** A decoded notification, as sent (the payload may be omitted). */
export interface RealtimeNotification {
  v: 1
  /** `realtime.messages.id`; Realtime sends it to clients as `meta.id`. */
  id: string
  /** Sub-topic, without `realtime:`. */
  topic: string
  event: string | null
  private: boolean
  extension: string
  binary: boolean
  /** JSON payload (when `binary` is false and the payload is not omitted). */
  payload?: unknown
  /** Base64 payload bytes (when `binary` is true and not omitted). */
  binary_payload?: string
  payload_omitted?: boolean
}

/** A broadcast ready to fan out. */
export interface RealtimeBroadcastRow {
  id: string
  topic: string
  event: string
  private: boolean
  payload: { type: 'json'; value: unknown } | { type: 'binary'; bytes: Uint8Array }
}

/** Type guard for {@link RealtimeNotification}. */
export function isRealtimeNotification(value: unknown): value is RealtimeNotification {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    v.v === 1 &&
    typeof v.id === 'string' &&
    typeof v.topic === 'string' &&
    (typeof v.event === 'string' || v.event === null) &&
    typeof v.private === 'boolean' &&
    typeof v.extension === 'string' &&
    typeof v.binary === 'boolean'
  )
}

/** Parses a NOTIFY payload; `undefined` when it is not a valid version-1 notification. */
export function parseRealtimeNotification(text: string): RealtimeNotification | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return isRealtimeNotification(value) ? value : undefined
}

/**
 * Turns a NOTIFY payload into a broadcast, reading the row by id when the payload was too large
 * to inline (run as the superuser, outside any request transaction). `undefined` for a malformed
 * notification or a row that no longer exists.
 */
export async function resolveRealtimeNotification(
  db: Queryable,
  text: string,
): Promise<RealtimeBroadcastRow | undefined> {
  const note = parseRealtimeNotification(text)
  if (!note) return undefined
  const head = { id: note.id, topic: note.topic, event: note.event ?? '', private: note.private }
  if (!note.payload_omitted) {
    if (note.binary) {
      return {
        ...head,
        payload: {
          type: 'binary',
          bytes: new Uint8Array(Buffer.from(note.binary_payload ?? '', 'base64')),
        },
      }
    }
    return { ...head, payload: { type: 'json', value: note.payload ?? null } }
  }
  const result = await db.query<{ payload: unknown; binary_payload: Uint8Array | null }>(
    'select payload, binary_payload from realtime.messages where id = $1',
    [note.id],
  )
  const row = result.rows[0]
  if (!row) return undefined
  if (row.binary_payload !== null) {
    return { ...head, payload: { type: 'binary', bytes: new Uint8Array(row.binary_payload) } }
  }
  return { ...head, payload: { type: 'json', value: row.payload } }
}
