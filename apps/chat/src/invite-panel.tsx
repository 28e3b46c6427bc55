// Invite: asks the server for a code and shows it with its join link, ready to copy.
import { useEffect, useRef, useState } from 'react'
import { useParley } from '@parley/react'
import { describeError } from './describe-error.js'
import { joinUrl } from './routes.js'

/** Props of {@link InvitePanel}. */
export interface InvitePanelProps {
  conversationId: string
  onClose: () => void
}

type InviteState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly code: string; readonly url: string }
  | { readonly kind: 'error'; readonly message: string }

/** The panel under the thread header. */
export function InvitePanel({ conversationId, onClose }: InvitePanelProps) {
  const client = useParley()
  const [state, setState] = useState<InviteState>({ kind: 'loading' })
  const [copied, setCopied] = useState(false)
  const [attempt, setAttempt] = useState(0)
  const panel = useRef<HTMLDivElement>(null)

  useEffect(() => {
    let active = true
    setState({ kind: 'loading' })
    client.createInvite(conversationId).then(
      (invite) => {
        // The link always points at this app (the route holds the code), wherever it is served.
        if (active) setState({ kind: 'ready', code: invite.code, url: joinUrl(invite.code) })
      },
      (error: unknown) => {
        if (!active) return
        setState({
          kind: 'error',
          message: navigator.onLine
            ? describeError(error)
            : 'Invites are made by the server: connect to the network and try again.',
        })
      },
    )
    return () => {
      active = false
    }
  }, [client, conversationId, attempt])

  useEffect(() => {
    panel.current?.focus()
  }, [])

  const copy = (text: string): void => {
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    )
  }

  return (
    <div
      ref={panel}
      className="invite-panel"
      role="region"
      aria-label="Invite people"
      tabIndex={-1}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose()
      }}
    >
      {state.kind === 'loading' && <p>Creating an invite…</p>}
      {state.kind === 'error' && (
        <div role="alert">
          <p>Could not create an invite: {state.message}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}
      {state.kind === 'ready' && (
        <>
          <p>
            Share this link, or the code <code data-testid="invite-code">{state.code}</code>:
          </p>
          <p className="invite-link-row">
            <a data-testid="invite-link" href={state.url}>
              {state.url}
            </a>
          </p>
          <div className="invite-buttons">
            <button type="button" onClick={() => copy(state.url)}>
              {copied ? 'Copied' : 'Copy link'}
            </button>
            <button type="button" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      )}
    </div>
  )
}
