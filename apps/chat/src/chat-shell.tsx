// The signed-in layout: a top bar with the connection banner, the conversation list, and the
// open thread. On a phone one pane shows at a time; from 768 px both sit side by side.
import { useEffect, useRef, useState } from 'react'
import { useParley } from '@parley/react'
import type { SupabaseClient } from '@supabase/supabase-js'
import { ConnectionStatus } from './connection-status.js'
import { ConversationList } from './conversation-list.js'
import { describeError } from './describe-error.js'
import { JoinForm } from './join-form.js'
import { NewConversationForm } from './new-conversation-form.js'
import { NoticeArea } from './notices.js'
import { navigate, type Route } from './routes.js'
import { replayJournal } from './send-journal.js'
import { SignOutButton } from './sign-out-button.js'
import { Thread } from './thread.js'

/** Props of {@link ChatShell}. */
export interface ChatShellProps {
  /** The signed-in user's id. */
  user: string
  /** Their display name (may be empty). */
  displayName: string
  route: Route
  /** The app's own Supabase client, for sign-out. */
  supabase: SupabaseClient
}

/** The chat, once signed in. */
export function ChatShell({ user, displayName, route, supabase }: ChatShellProps) {
  const client = useParley()

  // Sends that a closed tab handed over but never saw confirmed (see send-journal.ts).
  useEffect(() => {
    void replayJournal(client, user)
  }, [client, user])

  const activeId = route.kind === 'conversation' ? route.id : undefined
  const pane = route.kind === 'home' ? 'list' : 'main'
  return (
    <NoticeArea>
      <div className="shell" data-pane={pane}>
        <header className="topbar">
          <a className="brand" href="#/" aria-label="Parley, conversation list">
            <img src="./icons/icon-192.png" alt="" width={28} height={28} />
            <span>Parley</span>
          </a>
          <span className="me" title={`Signed in as ${displayName || user}`}>
            {displayName}
          </span>
          <ConnectionStatus />
          <SignOutButton supabase={supabase} />
        </header>
        <aside className="sidebar" aria-label="Conversations">
          <NewConversationForm />
          <ConversationList activeId={activeId} />
          <JoinForm />
        </aside>
        <main className="main">
          {route.kind === 'join' ? (
            <JoinRoute code={route.code} />
          ) : activeId !== undefined ? (
            <Thread key={activeId} conversationId={activeId} self={user} />
          ) : (
            <Welcome name={displayName} />
          )}
        </main>
      </div>
    </NoticeArea>
  )
}

function Welcome({ name }: { name: string | undefined }) {
  return (
    <section className="welcome" aria-label="Welcome">
      <h2>{name !== undefined && name !== '' ? `Hi ${name}` : 'Welcome'}</h2>
      <p>
        Pick a conversation, start a new one, or paste an invite code. Everything you write is saved
        on this device first: it works offline and syncs when the network is back.
      </p>
    </section>
  )
}

/** Joins the conversation of an invite link, then opens it. */
function JoinRoute({ code }: { code: string }) {
  const client = useParley()
  const [error, setError] = useState<string | undefined>()
  const [attempt, setAttempt] = useState(0)
  // StrictMode runs effects twice in development; one join per code and attempt is enough.
  const started = useRef<string | undefined>(undefined)

  useEffect(() => {
    const key = `${code}#${attempt}`
    if (started.current === key) return
    started.current = key
    setError(undefined)
    client.joinConversation(code).then(
      (summary) => navigate({ kind: 'conversation', id: summary.id }, { replace: true }),
      (reason: unknown) => setError(describeError(reason)),
    )
  }, [client, code, attempt])

  return (
    <section className="join-route" aria-live="polite">
      {error === undefined ? (
        <p>Joining the conversation…</p>
      ) : (
        <div role="alert">
          <p>
            Could not join with code {code}: {error}
          </p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
          <a href="#/">Back to conversations</a>
        </div>
      )}
    </section>
  )
}
