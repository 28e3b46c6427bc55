// The app's root: the sign-in screen until the engine has a user, then the chat.
import { useCallback, useState } from 'react'
import { ParleyProvider } from '@parley/react'
import type { HostInfo, ParleyClient } from '@parley/worker/client'
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
}

/** The whole app. */
export function App({ client }: AppProps) {
  const [info, setInfo] = useState<HostInfo>(client.info)
  const route = useRoute()
  const onSignedIn = useCallback((next: HostInfo) => setInfo(next), [])
  if (info.user === '') {
    return (
      <SignInScreen
        client={client}
        joinCode={route.kind === 'join' ? route.code : undefined}
        onSignedIn={onSignedIn}
      />
    )
  }
  return (
    <ParleyProvider client={client} onError={reportError}>
      <ChatShell info={info} route={route} />
    </ParleyProvider>
  )
}
