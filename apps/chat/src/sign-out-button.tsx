// Sign-out: Parley first — it refuses while changes are not on the server yet, and the user
// chooses to wait or to keep them on this device for their next sign-in — then Supabase.
import { useState } from 'react'
import type { SupabaseClient } from '@supabase/supabase-js'
import { useParley } from '@parley/react'
import { isHostError } from '@parley/worker/client'
import { describeError } from './describe-error.js'

/** Props of {@link SignOutButton}. */
export interface SignOutButtonProps {
  supabase: SupabaseClient
}

/** The top bar's sign-out button. */
export function SignOutButton({ supabase }: SignOutButtonProps) {
  const client = useParley()
  const [busy, setBusy] = useState(false)

  const signOut = async (): Promise<void> => {
    setBusy(true)
    try {
      try {
        await client.signOut()
      } catch (error) {
        if (!isHostError(error) || error.code !== 'pending-changes') throw error
        const keep = window.confirm(
          'Some of your messages have not reached the server yet. Sign out anyway? They stay on this device and are sent when you sign in again.',
        )
        if (!keep) return
        await client.signOut({ force: true })
      }
      await supabase.auth.signOut()
    } catch (error) {
      window.alert(`Could not sign out: ${describeError(error)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <button
      type="button"
      className="sign-out"
      data-testid="sign-out-button"
      disabled={busy}
      onClick={() => void signOut()}
    >
      Sign out
    </button>
  )
}
