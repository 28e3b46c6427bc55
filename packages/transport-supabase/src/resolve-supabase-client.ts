import {
  createClient,
  type SupabaseClient,
  type SupabaseClientOptions,
} from '@supabase/supabase-js'

/**
 * Where a Supabase transport or remote log gets its client: the app's own `client` (preferred:
 * one client, so one Realtime socket and one session, per engine), or `url` + `anonKey` to
 * create one.
 */
export type SupabaseClientSource =
  | { client: SupabaseClient; url?: never; anonKey?: never }
  | {
      client?: never
      /** The project URL, e.g. `http://127.0.0.1:54321`. */
      url: string
      /** The anon (publishable) key. */
      anonKey: string
      /**
       * Extra `createClient` options. On Node 20 pass `{ realtime: { transport: WebSocket } }`
       * with `WebSocket` from `ws` (supabase-js needs a global WebSocket otherwise).
       */
      clientOptions?: SupabaseClientOptions<'public'>
    }

/** Resolves a {@link SupabaseClientSource}; `owned` is true when the client was created here. */
export function resolveSupabaseClient(source: SupabaseClientSource): {
  client: SupabaseClient
  owned: boolean
} {
  if (source.client !== undefined) return { client: source.client, owned: false }
  if (typeof source.url !== 'string' || typeof source.anonKey !== 'string')
    throw new TypeError('pass either `client` or both `url` and `anonKey`')
  return { client: createClient(source.url, source.anonKey, source.clientOptions), owned: true }
}
