import { useState, type FormEvent } from 'react'
import type { SupabaseClient } from '@supabase/supabase-js'
import { useConversations, useMessages, useParley, useParleySession } from '@parley/react'

export function App({ supabase }: { supabase: SupabaseClient }) {
  const session = useParleySession()
  if (session.status === 'signed-out') return <SignIn supabase={supabase} />
  return <Chat supabase={supabase} me={session.user.displayName || session.user.id} />
}

function SignIn({ supabase }: { supabase: SupabaseClient }) {
  const [error, setError] = useState('')
  const [sent, setSent] = useState(false)
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const credentials = { email: String(form.get('email')), password: String(form.get('password')) }
    const action = (event.nativeEvent as SubmitEvent).submitter?.getAttribute('value')
    if (action === 'magic-link') {
      // The link in the mail brings the user back here; supabase-js reads the session from the URL.
      const { error } = await supabase.auth.signInWithOtp({
        email: credentials.email,
        options: { emailRedirectTo: location.origin + location.pathname },
      })
      setError(error?.message ?? '')
      setSent(error === null)
      return
    }
    const { error } =
      action === 'sign-up'
        ? await supabase.auth.signUp(credentials)
        : await supabase.auth.signInWithPassword(credentials)
    setError(error?.message ?? '')
  }
  return (
    <form
      data-testid="sign-in"
      onSubmit={(event) => submit(event).catch((e: unknown) => setError(String(e)))}
    >
      <input
        name="email"
        type="email"
        autoComplete="email"
        placeholder="Email"
        data-testid="email"
        required
      />
      <input
        name="password"
        type="password"
        autoComplete="current-password"
        placeholder="Password (not needed for a link)"
        data-testid="password"
      />
      <button value="sign-in" data-testid="sign-in-submit">
        Sign in
      </button>
      <button value="sign-up" data-testid="sign-up-submit">
        Sign up
      </button>
      <button value="magic-link" data-testid="magic-link-submit">
        Email me a sign-in link
      </button>
      {sent && <p data-testid="magic-link-sent">Check your mail for the link.</p>}
      {error && <p data-testid="sign-in-error">{error}</p>}
    </form>
  )
}

function Chat({ supabase, me }: { supabase: SupabaseClient; me: string }) {
  const parley = useParley()
  const { conversations } = useConversations()
  const [open, setOpen] = useState<string>()
  const signOut = async () => {
    await parley.signOut({ force: true }) // pending changes wait for this user's next sign-in
    await supabase.auth.signOut()
  }
  return (
    <main>
      <header>
        <span data-testid="me">{me}</span>
        <button data-testid="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <Field
        testId="new-conversation"
        label="New conversation"
        onSubmit={async (title) => {
          setOpen((await parley.createConversation({ title })).id)
        }}
      />
      <Field
        testId="join"
        label="Join with code"
        onSubmit={async (code) => {
          setOpen((await parley.joinConversation(code)).id)
        }}
      />
      <ul data-testid="conversations">
        {conversations.map((c) => (
          <li key={c.id}>
            <button data-testid="conversation" onClick={() => setOpen(c.id)}>
              {c.title} {c.unreadCount > 0 && <b data-testid="unread">{c.unreadCount}</b>}
            </button>
          </li>
        ))}
      </ul>
      {open !== undefined && <Thread key={open} id={open} />}
    </main>
  )
}

function Thread({ id }: { id: string }) {
  const parley = useParley()
  const { messages } = useMessages(id)
  const [invite, setInvite] = useState('')
  const createInvite = () =>
    parley.createInvite(id).then(
      ({ code }) => setInvite(code),
      (e: unknown) => setInvite(String(e)),
    )
  return (
    <section data-testid="thread">
      <button data-testid="invite" onClick={() => void createInvite()}>
        Invite
      </button>
      {invite && <code data-testid="invite-code">{invite}</code>}
      <ol>
        {messages.map((m) => (
          <li key={m.id} data-testid="message" data-status={m.status}>
            {m.text}
          </li>
        ))}
      </ol>
      <Field
        testId="composer"
        label="Message"
        onSubmit={async (text) => {
          await parley.send(id, { text })
        }}
      />
    </section>
  )
}

/** One text input and a submit button; the input clears once `onSubmit` resolves. */
function Field(props: {
  testId: string
  label: string
  onSubmit: (value: string) => Promise<void>
}) {
  const [value, setValue] = useState('')
  const [error, setError] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (value.trim() === '') return
    props.onSubmit(value.trim()).then(
      () => {
        setValue('')
        setError('')
      },
      (e: unknown) => setError(String(e)),
    )
  }
  return (
    <form data-testid={props.testId} onSubmit={submit}>
      <input
        aria-label={props.label}
        placeholder={props.label}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        data-testid={`${props.testId}-input`}
      />
      <button data-testid={`${props.testId}-submit`}>{props.label}</button>
      {error && <p data-testid={`${props.testId}-error`}>{error}</p>}
    </form>
  )
}
