import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createClient } from '@supabase/supabase-js'
import { ParleyProvider } from '@parley/react'
import { connectSupabaseAuth } from '@parley/transport-supabase'
import { createParleyClient } from '@parley/worker/client'
import { registerSW } from 'virtual:pwa-register'
import { App } from './app.tsx'
import { SUPABASE_KEY, SUPABASE_URL } from './config.ts'

const root = createRoot(document.getElementById('root')!)

async function boot(): Promise<void> {
  const supabase = createClient(SUPABASE_URL, SUPABASE_KEY)
  const parley = await createParleyClient({
    // Vite bundles the worker because `new URL(…, import.meta.url)` is written out here.
    sharedWorker: () =>
      new SharedWorker(new URL('./parley.worker.ts', import.meta.url), {
        type: 'module',
        name: 'parley',
      }),
    worker: () => new Worker(new URL('./parley.worker.ts', import.meta.url), { type: 'module' }),
  })
  // Parley rides on the app's own supabase-js session.
  connectSupabaseAuth(parley, supabase)
  root.render(
    <StrictMode>
      <ParleyProvider client={parley}>
        <App supabase={supabase} />
      </ParleyProvider>
    </StrictMode>,
  )
}

boot().catch((error: unknown) => {
  root.render(<p data-testid="fatal">Parley could not start: {String(error)}</p>)
})
// The offline app shell: the page, its chunks and the engine's worker come from the cache.
registerSW({ immediate: true })
