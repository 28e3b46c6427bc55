// Test harness page: connects to the engine and exposes the client as `window.parley` for
// Playwright (`page.evaluate`). `?mode=dedicated` forces dedicated workers with a Web Locks leader.
import { createParleyClient, type ParleyClient } from '@parley/worker/client'

declare global {
  interface Window {
    parley: ParleyClient
    harness: { ready: Promise<ParleyClient>; offlineReady: Promise<void>; log: string[] }
  }
}

const params = new URLSearchParams(location.search)
const mode = (params.get('mode') ?? 'auto') as 'auto' | 'dedicated'
const serverUrl = params.get('server')
// With a server the user comes from sign-in (window.parley.signIn); without, from the URL.
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

window.harness = { ready, offlineReady, log }
