// The app's own sign-in — anonymous with a display name, through its supabase-js client; Parley
// takes the session from there (connectSupabaseAuth). Opened from an invite link, it says so and
// the chat joins the conversation right after (the route still holds the code).
import { useState, type FormEvent } from 'react'
import type { SupabaseClient } from '@supabase/supabase-js'
import type { ParleyClient } from '@parley/worker/client'
import { describeError } from './describe-error.js'

/** Props of {@link SignInScreen}. */
export interface SignInScreenProps {
  client: ParleyClient
  supabase: SupabaseClient
  /** The invite code when the app was opened from an invite link. */
  joinCode: string | undefined
}

/** The first screen of a new device. */
export function SignInScreen({ client, supabase, joinCode }: SignInScreenProps) {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const displayName = name.trim()
    if (displayName === '' || busy) return
    setBusy(true)
    setError(undefined)
    try {
      const { data, error: failure } = await supabase.auth.signInAnonymously({
        options: { data: { display_name: displayName } },
      })
      if (failure !== null) throw failure
      if (data.user === null) throw new Error('sign-in returned no user')
      // The app re-renders when Parley's auth state changes in every tab.
      await client.whenSignedIn(data.user.id)
    } catch (reason) {
      setError(
        navigator.onLine
          ? `Could not sign in: ${describeError(reason)}`
          : 'You are offline. Signing in needs a connection once; after that Parley works offline.',
      )
      setBusy(false)
    }
  }

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={(event) => void submit(event)}>
        <img src="./icons/icon-192.png" alt="" width={64} height={64} />
        <h1>Parley</h1>
        <p className="sign-in-lead">
          {joinCode !== undefined
            ? 'You were invited to a conversation. Choose the name others will see, and you are in.'
            : 'Chat that keeps working offline and syncs across your tabs and devices.'}
        </p>
        <label htmlFor="display-name">Your name</label>
        <input
          id="display-name"
          data-testid="display-name-input"
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="nickname"
          maxLength={60}
          required
          autoFocus
          aria-describedby={error !== undefined ? 'sign-in-error' : undefined}
        />
        <button
          type="submit"
          className="primary"
          data-testid="sign-in-button"
          disabled={busy || name.trim() === ''}
        >
          {busy ? 'Signing in…' : joinCode !== undefined ? 'Sign in and join' : 'Start chatting'}
        </button>
        {error !== undefined && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  )
}
