// @parley/transport-supabase: Parley's Supabase side — a live Transport over Realtime broadcast
// channels and a durable RemoteLog over the RPCs of supabase/migrations. See
// docs/TRANSPORT-SUPABASE.md.
export * from './create-supabase-transport.js'
export type { SupabaseClientSource } from './resolve-supabase-client.js'
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
export * from './create-supabase-connector.js'
