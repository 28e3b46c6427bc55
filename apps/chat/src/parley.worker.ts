// The engine's worker: one per browser (a SharedWorker, or a Web Locks leader among dedicated
// workers). It owns IndexedDB and the Supabase connection; tabs talk to it through the client.
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'
import { createSupabaseConnector } from '@parley/transport-supabase'
import { chatConfig } from './config.js'

const config = chatConfig()

/** Non-fatal engine errors (a failed push that will be retried, a malformed update…). */
function report(error: unknown): void {
  console.warn('[parley worker]', error)
}

startParleyHost({
  createStorage: () => createDexieStorage({ name: 'parley-chat' }),
  connect: ({ storage }) =>
    createSupabaseConnector({
      url: config.supabaseUrl,
      anonKey: config.supabaseAnonKey,
      storage,
      onError: report,
    }),
  onError: report,
})
