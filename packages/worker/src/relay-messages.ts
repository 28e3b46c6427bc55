// Messages between follower workers and the leader worker over BroadcastChannel (dedicated-worker
// mode). Every message is validated on arrival: other same-origin code can post on the channel.

/** Version of the relay protocol. */
export const RELAY_PROTOCOL_VERSION = 1

/** A serialised error that crossed the relay. */
export interface RelayErrorValue {
  name: string
  message: string
  code?: string
}

/** A follower asks the leader to run a host API method. */
export interface RelayCallMessage {
  v: 1
  type: 'call'
  id: string
  from: string
  method: string
  args: unknown[]
}

/** The leader's answer to a call. */
export interface RelayResultMessage {
  v: 1
  type: 'result'
  id: string
  to: string
  engineId: string
  ok: boolean
  value?: unknown
  error?: RelayErrorValue
}

/** A subscription push from the leader to the follower that subscribed. */
export interface RelayEventMessage {
  v: 1
  type: 'event'
  to: string
  listener: string
  value: unknown
}

/** The leader announces itself (when elected, and in answer to `who-leads`). */
export interface RelayLeaderMessage {
  v: 1
  type: 'leader'
  engineId: string
}

/** A worker that just started asks who leads. */
export interface RelayWhoLeadsMessage {
  v: 1
  type: 'who-leads'
}

/** Every relay message. */
export type RelayMessage =
  | RelayCallMessage
  | RelayResultMessage
  | RelayEventMessage
  | RelayLeaderMessage
  | RelayWhoLeadsMessage

const isString = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length < 200

/** Validates an untrusted value as a {@link RelayMessage}; returns undefined when it is not one. */
export function parseRelayMessage(value: unknown): RelayMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const m = value as Record<string, unknown>
  if (m.v !== RELAY_PROTOCOL_VERSION) return undefined
  switch (m.type) {
    case 'call':
      return isString(m.id) && isString(m.from) && isString(m.method) && Array.isArray(m.args)
        ? (m as unknown as RelayCallMessage)
        : undefined
    case 'result':
      return isString(m.id) && isString(m.to) && isString(m.engineId) && typeof m.ok === 'boolean'
        ? (m as unknown as RelayResultMessage)
        : undefined
    case 'event':
      return isString(m.to) && isString(m.listener)
        ? (m as unknown as RelayEventMessage)
        : undefined
    case 'leader':
      return isString(m.engineId) ? (m as unknown as RelayLeaderMessage) : undefined
    case 'who-leads':
      return m as unknown as RelayWhoLeadsMessage
    default:
      return undefined
  }
}

/** Serialises an error for the relay, keeping `name` and `code`. */
export function toRelayError(error: unknown): RelayErrorValue {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    }
  }
  return { name: 'Error', message: String(error) }
}
