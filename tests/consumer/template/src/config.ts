// Where the app finds Supabase, read by the page and by the engine's worker alike. Build-time
// `VITE_SUPABASE_URL` / `VITE_SUPABASE_PUBLISHABLE_KEY` (a new `sb_publishable_…` key, or a legacy
// anon key), else a local Supabase (or Parley's emulator) on the page's host at port 54321 with
// the Supabase CLI's well-known local anon key.
const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'

export const SUPABASE_URL: string =
  import.meta.env.VITE_SUPABASE_URL || `${location.protocol}//${location.hostname}:54321`
export const SUPABASE_KEY: string =
  import.meta.env.VITE_SUPABASE_PUBLISHABLE_KEY ||
  import.meta.env.VITE_SUPABASE_ANON_KEY ||
  LOCAL_ANON_KEY
