// The app's root: the sign-in screen while Parley serves nobody, then the chat. Parley's auth
// state is the same in every tab, so signing out in one tab signs every tab out.
import { useSyncExternalStore } from 'react'
import type { SupabaseClient } from '@supabase/supabase-js'
import { ParleyProvider } from '@parley/react'
import type { ParleyClient } from '@parley/worker/client'
import { ChatShell } from './chat-shell.js'
import { useRoute } from './routes.js'
import { SignInScreen } from './sign-in-screen.js'

function reportError(error: Error): void {
  console.warn('[parley]', error)
}

/** Props of {@link App}. */
export interface AppProps {
  /** The tab's client, connected to the engine. */
  client: ParleyClient
  /** The app's own Supabase client (sign-in and sign-out). */
  supabase: SupabaseClient
}

/** The whole app. */
export function App({ client, supabase }: AppProps) {
  const auth = useSyncExternalStore(
    (onChange) => client.onAuthChange(onChange),
    () => client.auth,
  )
  const route = useRoute()
  if (auth.status === 'signed-out') {
    return (
      <SignInScreen
        client={client}
        supabase={supabase}
        joinCode={route.kind === 'join' ? route.code : undefined}
      />
    )
  }
  return (
    <ParleyProvider client={client} onError={reportError}>
      <ChatShell
        user={auth.user.id}
        displayName={auth.user.displayName}
        route={route}
        supabase={supabase}
      />
    </ParleyProvider>
  )
}
