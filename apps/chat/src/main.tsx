// Boots the app: connects this tab to the browser's one Parley engine, renders, and registers
// the service worker that makes later visits work offline.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createParleyClient } from '@parley/worker/client'
import { connectSupabaseAuth } from '@parley/transport-supabase'
import { App } from './app.js'
import { describeError } from './describe-error.js'
import { createAppSupabase } from './supabase.js'
import './styles.css'

const container = document.getElementById('root')
if (container === null) throw new Error('index.html has no #root')
const root = createRoot(container)

/**
 * `?engine=dedicated` runs the engine in dedicated workers with a Web Locks leader even where
 * SharedWorker exists: the path Chrome on Android takes, and one whose network the browser's
 * devtools (and Playwright's offline mode) can switch off.
 */
const mode =
  new URLSearchParams(location.search).get('engine') === 'dedicated' ? 'dedicated' : 'auto'

async function boot(): Promise<void> {
  const supabase = createAppSupabase()
  const client = await createParleyClient({
    mode,
    // Vite bundles the worker because `new URL(…, import.meta.url)` is written out here.
    sharedWorker: () =>
      new SharedWorker(new URL('./parley.worker.ts', import.meta.url), {
        type: 'module',
        name: 'parley-chat',
      }),
    worker: () => new Worker(new URL('./parley.worker.ts', import.meta.url), { type: 'module' }),
  })
  // The engine follows this tab's Supabase session (and every other tab's: they share it).
  connectSupabaseAuth(client, supabase, {
    onError: (error) => console.warn('[parley] handing the session over failed', error),
  })
  root.render(
    <StrictMode>
      <App client={client} supabase={supabase} />
    </StrictMode>,
  )
}

function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.register('./sw.js', { scope: './' }).catch((error: unknown) => {
    console.warn('[parley] service worker registration failed', error)
  })
}

boot().catch((error: unknown) => {
  root.render(
    <main className="fatal" role="alert">
      <h1>Parley could not start</h1>
      <p>{describeError(error)}</p>
      <button type="button" onClick={() => location.reload()}>
        Reload
      </button>
    </main>,
  )
})
registerServiceWorker()
