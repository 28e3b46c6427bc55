// The composer: Enter sends, Shift+Enter breaks the line, Escape cancels a reply or an edit,
// ArrowUp in an empty composer edits one's last message. Typing is announced (throttled by
// useTyping) and cleared on send.
import { forwardRef, useEffect, useImperativeHandle, useRef, useState, type FormEvent } from 'react'
import { newMessageId, type MessageItem } from '@parley/core'
import { useParley } from '@parley/react'
import { useNotify } from './notices.js'
import { journalAdd, journalRemove } from './send-journal.js'

/** What the composer is doing. */
export type ComposerMode =
  | { readonly kind: 'new' }
  | { readonly kind: 'reply'; readonly message: MessageItem; readonly author: string }
  | { readonly kind: 'edit'; readonly message: MessageItem }

/** Props of {@link Composer}. */
export interface ComposerProps {
  conversationId: string
  self: string
  mode: ComposerMode
  onModeDone: () => void
  /** Called right after a new message was handed to the engine. */
  onSent: () => void
  /** Asks to edit the local user's last message (ArrowUp in an empty composer). */
  onEditLast: () => void
  setTyping: (typing: boolean) => void
}

/** Lets the thread focus the composer. */
export interface ComposerHandle {
  focus(): void
}

/** The composer. */
export const Composer = forwardRef<ComposerHandle, ComposerProps>(function Composer(
  { conversationId, self, mode, onModeDone, onSent, onEditLast, setTyping },
  ref,
) {
  const client = useParley()
  const notify = useNotify()
  const [text, setText] = useState('')
  const input = useRef<HTMLTextAreaElement>(null)

  useImperativeHandle(ref, () => ({ focus: () => input.current?.focus() }), [])

  // Entering edit mode loads the message's text; leaving it clears the field.
  const editing = mode.kind === 'edit' ? mode.message.id : undefined
  const editText = mode.kind === 'edit' ? mode.message.text : undefined
  useEffect(() => {
    if (editing === undefined) return
    setText(editText ?? '')
    input.current?.focus()
  }, [editing, editText])
  useEffect(() => {
    if (mode.kind === 'reply') input.current?.focus()
  }, [mode])

  // Grow with the text, up to the CSS max-height.
  useEffect(() => {
    const el = input.current
    if (el === null) return
    el.style.height = 'auto'
    el.style.height = `${el.scrollHeight}px`
  }, [text])

  const cancel = (): void => {
    if (mode.kind === 'edit') setText('')
    onModeDone()
  }

  const submit = (event?: FormEvent): void => {
    event?.preventDefault()
    const body = text.trim()
    if (body === '') return
    setTyping(false)
    if (mode.kind === 'edit') {
      const { message } = mode
      setText('')
      onModeDone()
      if (body !== message.text) {
        client.edit(conversationId, message.id, { text: body }).catch((error: unknown) => {
          notify('Could not edit the message', error)
        })
      }
      return
    }
    const id = newMessageId()
    const replyTo = mode.kind === 'reply' ? mode.message.id : undefined
    // Journal first, in this very task: the tab may be closed before the call reaches the worker.
    journalAdd(self, {
      conversationId,
      id,
      text: body,
      ...(replyTo !== undefined ? { replyTo } : {}),
    })
    setText('')
    if (mode.kind === 'reply') onModeDone()
    client
      .send(conversationId, { id, text: body, ...(replyTo !== undefined ? { replyTo } : {}) })
      .then(
        () => journalRemove(self, id),
        (error: unknown) => notify('Could not save the message', error),
      )
    onSent()
  }

  return (
    <form className="composer" onSubmit={submit} aria-label="Write a message">
      {mode.kind !== 'new' && (
        <div className="composer-context">
          <span>
            {mode.kind === 'edit' ? (
              <strong>Editing message</strong>
            ) : (
              <>
                Replying to <strong>{mode.author}</strong>: {mode.message.text.slice(0, 80)}
              </>
            )}
          </span>
          <button type="button" className="icon-button" aria-label="Cancel" onClick={cancel}>
            ×
          </button>
        </div>
      )}
      <div className="composer-row">
        <label htmlFor="composer-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={input}
          data-testid="composer-input"
          rows={1}
          value={text}
          placeholder={mode.kind === 'edit' ? 'Edit your message' : 'Message'}
          onChange={(event) => {
            setText(event.target.value)
            setTyping(event.target.value !== '')
          }}
          onBlur={() => setTyping(false)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault()
              submit()
            } else if (event.key === 'Escape' && mode.kind !== 'new') {
              event.preventDefault()
              cancel()
            } else if (event.key === 'ArrowUp' && text === '' && mode.kind === 'new') {
              event.preventDefault()
              onEditLast()
            }
          }}
        />
        <button
          type="submit"
          className="primary send"
          data-testid="send-button"
          disabled={text.trim() === ''}
        >
          {mode.kind === 'edit' ? 'Save' : 'Send'}
        </button>
      </div>
    </form>
  )
})
