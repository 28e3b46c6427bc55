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
const user = params.get('user') ?? 'alice'
const log: string[] = []

const ready = createParleyClient({
  user,
  mode,
  sharedWorker: () =>
    new SharedWorker(new URL('./parley.worker.ts', import.meta.url), {
      type: 'module',
      name: 'parley',
    }),
  worker: () => new Worker(new URL('./parley.worker.ts', import.meta.url), { type: 'module' }),
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
