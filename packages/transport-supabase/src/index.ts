// @parley/transport-supabase: Parley's Supabase side — the worker's server connector
// (`createSupabaseServer`), the tab's bridge from the app's own supabase-js session
// (`connectSupabaseAuth`), a live Transport over Realtime broadcast channels and a durable
// RemoteLog over the RPCs of supabase/migrations. See docs/TRANSPORT-SUPABASE.md.
export * from './create-supabase-server.js'
export * from './connect-supabase-auth.js'
export * from './supabase-config-error.js'
export * from './create-supabase-transport.js'
export {
  DEFAULT_COALESCE_MS,
  type SupabaseTransportOptions,
  type SupabaseTransportSettings,
} from './supabase-transport-options.js'
export type { SupabaseTransportStats } from './supabase-transport-stats.js'
export type { SupabaseClientSource } from './resolve-supabase-client.js'
export type { SupabaseExternalAuth } from './external-auth.js'
export { encodeBase64, decodeBase64 } from './base64.js'
export {
  decodeSupabaseFrame,
  encodeMessageBody,
  encodeSupabaseFrame,
  type EncodedMessageBody,
  type SupabaseFrameResult,
} from './supabase-frame.js'
export { mergeAwarenessUpdates } from './merge-awareness-updates.js'
export * from './create-supabase-remote-log.js'
export { mapRpcError, type RpcFailure } from './map-rpc-error.js'
