// Where the app finds its Supabase project. Read in the page and in the engine's worker, so it
// only uses what both have (`location`, `import.meta.env`).

/** The Supabase CLI's well-known local anon key, which the emulator serves too. */
const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'

/** The app's server settings. */
export interface ChatConfig {
  /** The Supabase project URL. */
  readonly supabaseUrl: string
  /** The anon (publishable) key. */
  readonly supabaseAnonKey: string
}

/**
 * The build's settings: `VITE_SUPABASE_URL` and `VITE_SUPABASE_ANON_KEY` at build time, else the
 * local emulator on the page's own host at port 54321 (so a phone on the LAN that opens the demo
 * by IP address reaches the emulator on the same machine) with the local anon key.
 */
export function chatConfig(): ChatConfig {
  const env = import.meta.env
  const url = typeof env.VITE_SUPABASE_URL === 'string' ? env.VITE_SUPABASE_URL : ''
  const key = typeof env.VITE_SUPABASE_ANON_KEY === 'string' ? env.VITE_SUPABASE_ANON_KEY : ''
  return {
    supabaseUrl: url !== '' ? url : `${location.protocol}//${location.hostname}:54321`,
    supabaseAnonKey: key !== '' ? key : LOCAL_ANON_KEY,
  }
}
