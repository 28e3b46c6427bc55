// The devices bench's engine worker: an app's worker file with the Supabase connector (the
// emulator's URL and key come in the worker's `name`, as in the e2e harness), on its own database
// and lock namespace. One test-only addition: the connector is wrapped so the worker keeps the
// live transport, and answers `stats-request` on a BroadcastChannel with its counters. The
// driver reads them to cross-check what it counts on the wire.
import { startParleyHost } from '@parley/worker/host'
import { createDexieStorage } from '@parley/storage-indexeddb'
import { createSupabaseServer, type SupabaseTransport } from '@parley/transport-supabase'
import { DEVICES, type DevicesWorkerConfig, type StatsMessage } from './devices-api.js'

function readConfig(name: string): DevicesWorkerConfig | undefined {
  try {
    const parsed = JSON.parse(name) as Partial<DevicesWorkerConfig>
    return parsed.server === undefined ? undefined : { server: parsed.server }
  } catch {
    return undefined
  }
}

const config = readConfig((self as unknown as { name: string }).name)
let transport: SupabaseTransport | undefined

const stats = new BroadcastChannel(DEVICES.statsChannel)
stats.onmessage = (event: MessageEvent<StatsMessage>) => {
  if (event.data.type !== 'stats-request') return
  const reply: StatsMessage = {
    type: 'stats-reply',
    n: event.data.n,
    stats: transport?.stats() ?? null,
  }
  stats.postMessage(reply)
}

startParleyHost({
  name: DEVICES.hostName,
  createStorage: ({ user }) => createDexieStorage({ name: `${DEVICES.dbName}:${user}` }),
  ...(config !== undefined
    ? {
        connect: () => {
          const server = createSupabaseServer({
            url: config.server.url,
            key: config.server.anonKey,
          })
          return {
            open: (context) => {
              const session = server.open(context)
              transport = session.transports.find(
                (t): t is SupabaseTransport => t.kind === 'supabase' && 'stats' in t,
              )
              return session
            },
            close: () => server.close(),
          }
        },
      }
    : {}),
})
