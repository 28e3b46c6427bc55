// parley-compact: the trusted compactor (docs/TRUST.md, "Snapshots and compaction"). A member
// asks for it (`requestCompaction`) with their own access token; the function replays the log
// through Parley's trust rules with the service role, writes the snapshot and prunes behind it.
//
//   POST /functions/v1/parley-compact  { "conversation_id": "<uuid>" }
//   200 { started: true, upto_seq, rejected, held_from, pruned_upto_seq }
//   200 { started: false }  fewer than 100 log rows since the newest snapshot
//   429 { started: false }  a snapshot was written less than 60 s ago
//   400 / 401 / 403 / 405 / 500 { code: "PARLEY_…", message }
//
// Deployed with the Supabase CLI (`supabase functions deploy parley-compact`); `deno.json` maps
// the imports to npm. Parley's emulator serves it from the same folder.
import { handleCompactRequest, type CompactEnv } from './compact-handler.ts'

// The edge runtime provides `Deno`; this lets tsc check the file without Deno's own types.
declare const Deno: {
  serve(handler: (request: Request) => Response | Promise<Response>): unknown
  env: { get(name: string): string | undefined }
}

function readEnv(): CompactEnv {
  const env = (name: string) => Deno.env.get(name)
  const url = env('SUPABASE_URL')
  const anonKey = env('SUPABASE_ANON_KEY') ?? env('SUPABASE_PUBLISHABLE_KEY')
  const serviceKey = env('SUPABASE_SERVICE_ROLE_KEY') ?? env('SUPABASE_SECRET_KEY')
  if (!url || !anonKey || !serviceKey) {
    throw new Error('parley-compact: SUPABASE_URL, the anon and the service role key are required')
  }
  return { url, anonKey, serviceKey }
}

Deno.serve((request) => handleCompactRequest(request, readEnv()))
