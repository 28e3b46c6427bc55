// Test harness page: connects to the engine and exposes the client as `window.parley` for
// Playwright (`page.evaluate`). `?mode=dedicated` forces dedicated workers with a Web Locks leader.
import { createClient } from '@supabase/supabase-js'
import { checkSupabaseConfig, connectSupabaseAuth } from '@parley/transport-supabase'
import { createParleyClient, type ParleyClient } from '@parley/worker/client'

declare global {
  interface Window {
    parley: ParleyClient
    harness: {
      ready: Promise<ParleyClient>
      offlineReady: Promise<void>
      log: string[]
      /** The app's own sign-in (anonymous, with a display name); resolves with the user id. */
      signIn(displayName: string): Promise<string>
    }
  }
}

const params = new URLSearchParams(location.search)
const mode = (params.get('mode') ?? 'auto') as 'auto' | 'dedicated'
const serverUrl = params.get('server')
// With a server the user comes from the page's own supabase-js sign-in (harness.signIn), handed
// to the engine by connectSupabaseAuth; without, from the URL.
const user = serverUrl === null ? (params.get('user') ?? 'alice') : undefined
// The worker reads its configuration from its name (a different name is a different worker).
const name = JSON.stringify(
  serverUrl === null ? {} : { server: { url: serverUrl, anonKey: params.get('anon') ?? '' } },
)
const log: string[] = []

const ready = createParleyClient({
  ...(user !== undefined ? { user } : {}),
  mode,
  sharedWorker: () =>
    new SharedWorker(new URL('./parley.worker.ts', import.meta.url), { type: 'module', name }),
  worker: () =>
    new Worker(new URL('./parley.worker.ts', import.meta.url), { type: 'module', name }),
}).then((client) => {
  window.parley = client
  document.getElementById('status')!.textContent = `ready ${client.info.mode}`
  return client
})

// The service worker caches the app shell and every built file, so a reload works offline.
const offlineReady = navigator.serviceWorker
  .register('./sw.js')
  .then(() => navigator.serviceWorker.ready)
  .then(() => undefined)

/** The page's own client; none for a configuration the engine refuses (see ready). */
function appClient(server: string, key: string) {
  try {
    checkSupabaseConfig(server, key)
  } catch {
    return undefined
  }
  return createClient(server, key, { auth: { storageKey: 'parley-harness-auth' } })
}
const supabase = serverUrl === null ? undefined : appClient(serverUrl, params.get('anon') ?? '')
void ready.then((client) => {
  if (supabase !== undefined) connectSupabaseAuth(client, supabase)
})

async function signIn(displayName: string): Promise<string> {
  if (supabase === undefined) throw new Error('the harness has no server')
  const client = await ready
  const { data, error } = await supabase.auth.signInAnonymously({
    options: { data: { display_name: displayName } },
  })
  if (error !== null || data.user === null) throw error ?? new Error('sign-in returned no user')
  const user = data.user.id
  // The engine starts for the user once connectSupabaseAuth handed the session over.
  await client.whenSignedIn(user)
  return user
}

window.harness = { ready, offlineReady, log, signIn }
