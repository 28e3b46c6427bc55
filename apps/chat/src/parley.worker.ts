// The engine's worker: one per browser (a SharedWorker, or a Web Locks leader among dedicated
// workers). It owns IndexedDB — one database per user — and the Supabase connection of the
// signed-in user, whose session the tabs hand over; tabs talk to it through the client.
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage, deleteDexieStorage } from '@parley/storage-indexeddb'
import { createSupabaseServer } from '@parley/transport-supabase'
import { chatConfig } from './config.js'

const config = chatConfig()

/** Non-fatal engine errors (a failed push that will be retried, a malformed update…). */
function report(error: unknown): void {
  console.warn('[parley worker]', error)
}

startParleyHost({
  createStorage: ({ user }) => createDexieStorage({ name: `parley-chat:${user}` }),
  deleteStorage: ({ user }) => deleteDexieStorage({ name: `parley-chat:${user}` }),
  connect: () =>
    createSupabaseServer({
      url: config.supabaseUrl,
      key: config.supabaseAnonKey,
      onError: report,
    }),
  onError: report,
})
