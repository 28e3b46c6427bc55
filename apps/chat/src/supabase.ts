// The app's own Supabase client: the app signs its users in (here anonymously with a display
// name); Parley rides on that session (connectSupabaseAuth in main.tsx). A URL or key that
// cannot work is a typed SupabaseConfigError, shown instead of a blank page.
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { checkSupabaseConfig } from '@parley/transport-supabase'
import { chatConfig } from './config.js'

/** Creates the app's client; throws `SupabaseConfigError` for a bad URL or key. */
export function createAppSupabase(): SupabaseClient {
  const config = chatConfig()
  const url = checkSupabaseConfig(config.supabaseUrl, config.supabaseAnonKey)
  return createClient(url, config.supabaseAnonKey, {
    auth: { storageKey: 'parley-chat-auth' },
  })
}
