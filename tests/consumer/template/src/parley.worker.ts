// Parley's engine: one per browser (a SharedWorker, or a Web Locks leader among dedicated
// workers). It owns IndexedDB — one database per user — and the connection to Supabase.
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'
import { createSupabaseServer } from '@parley/transport-supabase'
import { SUPABASE_KEY, SUPABASE_URL } from './config.ts'

startParleyHost({
  createStorage: ({ user }) => createDexieStorage({ name: `consumer-app:${user}` }),
  connect: () => createSupabaseServer({ url: SUPABASE_URL, key: SUPABASE_KEY }),
  onError: (error) => console.warn('[parley worker]', error),
})
