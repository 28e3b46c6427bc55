// The `phx_join` payload, validated leniently the way Realtime casts it: unknown keys ignored,
// booleans accepted as "true"/"false" strings, bad shapes fall back to defaults (§1.6).
import { isOpaqueApiKey } from './realtime-token.js'
import { isJsonObject } from './realtime-message.js'

/** A channel's join options after validation. */
export interface JoinConfig {
  /** Receive your own broadcasts. Default false. */
  self: boolean
  /** Acknowledge each broadcast with a `phx_reply`. Default false. */
  ack: boolean
  /** Presence key; empty means "generate one per join". */
  presenceKey: string
  /** Presence requested at join. Default false. */
  presenceEnabled: boolean
  /** A private (RLS-authorized) channel. Default false. */
  private: boolean
  /** The requested postgres_changes filters, echoed back with ids (no changes are streamed). */
  postgresChanges: Record<string, unknown>[]
  /** The channel token from `access_token`/`user_token`, unless absent or an `sb_` key. */
  accessToken: string | null
}

/** Reads a join payload; never throws. */
export function parseJoinConfig(payload: unknown): JoinConfig {
  const body = isJsonObject(payload) ? payload : {}
  const config = isJsonObject(body.config) ? body.config : {}
  const broadcast = isJsonObject(config.broadcast) ? config.broadcast : {}
  const presence = isJsonObject(config.presence) ? config.presence : {}
  const changes = Array.isArray(config.postgres_changes) ? config.postgres_changes : []
  const given = typeof body.access_token === 'string' ? body.access_token : body.user_token
  return {
    self: flag(broadcast.self),
    ack: flag(broadcast.ack),
    presenceKey: typeof presence.key === 'string' ? presence.key : '',
    presenceEnabled: flag(presence.enabled),
    private: flag(config.private),
    postgresChanges: changes.filter(isJsonObject),
    accessToken: typeof given === 'string' && !isOpaqueApiKey(given) ? given : null,
  }
}

function flag(value: unknown): boolean {
  return value === true || value === 'true'
}

/** Realtime echoes each postgres_changes filter with a numeric id (a hash of the filter). */
export function withBindingIds(filters: Record<string, unknown>[]): Record<string, unknown>[] {
  return filters.map((filter) => ({ ...filter, id: hashFilter(JSON.stringify(filter)) }))
}

function hashFilter(text: string): number {
  // FNV-1a folded to 27 bits, the range of Erlang's phash2 that Realtime uses.
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) & 0x7ffffff
}
