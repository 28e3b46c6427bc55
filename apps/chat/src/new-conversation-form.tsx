// "New conversation": a button that opens a one-field form.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useParley } from '@parley/react'
import { useNotify } from './notices.js'
import { navigate } from './routes.js'

/** The button and its form. */
export function NewConversationForm() {
  const client = useParley()
  const notify = useNotify()
  const [open, setOpen] = useState(false)
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const toggle = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    if (open) input.current?.focus()
  }, [open])

  const close = (): void => {
    setOpen(false)
    setTitle('')
    toggle.current?.focus()
  }

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    try {
      const summary = await client.createConversation({ title: title.trim(), kind: 'group' })
      setOpen(false)
      setTitle('')
      navigate({ kind: 'conversation', id: summary.id })
    } catch (error) {
      notify('Could not create the conversation', error)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="new-conversation">
      <button
        ref={toggle}
        type="button"
        className="primary wide"
        data-testid="new-conversation-button"
        aria-expanded={open}
        aria-controls="new-conversation-form"
        onClick={() => (open ? close() : setOpen(true))}
      >
        + New conversation
      </button>
      {open && (
        <form
          id="new-conversation-form"
          className="inline-form"
          onSubmit={(event) => void submit(event)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') close()
          }}
        >
          <label htmlFor="conversation-title">Title</label>
          <div className="inline-row">
            <input
              id="conversation-title"
              ref={input}
              data-testid="conversation-title-input"
              value={title}
              onChange={(event) => setTitle(event.target.value)}
              placeholder="e.g. Weekend plans"
              maxLength={120}
            />
            <button type="submit" data-testid="create-conversation-button" disabled={busy}>
              Create
            </button>
          </div>
        </form>
      )}
    </div>
  )
}
