// One message in the thread: author, reply quote, text, time, ticks, reactions, and an actions
// menu (react, reply, edit, delete) reachable by keyboard.
import { memo, useEffect, useRef, useState } from 'react'
import type { MessageItem } from '@parley/core'
import { DeliveryTicks } from './delivery-ticks.js'
import { stampTime, timeOfDay } from './format.js'

/** Reactions offered in the actions menu. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'] as const

/** What a row can ask the thread to do. */
export interface MessageActions {
  reply(message: MessageItem): void
  edit(message: MessageItem): void
  remove(message: MessageItem): void
  toggleReaction(message: MessageItem, reaction: string, mine: boolean): void
  retry(message: MessageItem): void
  jumpTo(messageId: string): void
}

/** The quoted message of a reply, as far as the thread has it loaded. */
export interface ReplyQuote {
  readonly id: string
  readonly author: string
  readonly text: string
}

/** Props of {@link MessageRow}. */
export interface MessageRowProps {
  message: MessageItem
  /** The author's display name (`data-author`). */
  author: string
  /** Whether the local user wrote it. */
  own: boolean
  /** The local user, to tell their reactions apart. */
  self: string
  /** Continues the previous message's group (same author, same day, close in time). */
  grouped: boolean
  quote: ReplyQuote | undefined
  /** The message being edited or answered in the composer, highlighted. */
  highlighted: boolean
  actions: MessageActions
  /** Display names for reaction tooltips. */
  nameOf: (userId: string) => string
}

function sameMessage(a: MessageItem, b: MessageItem): boolean {
  return (
    a.id === b.id &&
    a.text === b.text &&
    a.status === b.status &&
    a.editedAt === b.editedAt &&
    a.deleted === b.deleted &&
    a.failure?.code === b.failure?.code &&
    a.replyTo === b.replyTo &&
    JSON.stringify(a.reactions) === JSON.stringify(b.reactions)
  )
}

function MessageRowView({
  message,
  author,
  own,
  self,
  grouped,
  quote,
  highlighted,
  actions,
  nameOf,
}: MessageRowProps) {
  const [menuOpen, setMenuOpen] = useState(false)
  // Open the menu upwards when the row sits in the lower half of the list, so it stays in view.
  const [menuUp, setMenuUp] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const toggle = useRef<HTMLButtonElement>(null)
  const time = stampTime(message.hlc)
  const reactions = Object.entries(message.reactions).filter(([, users]) => users.length > 0)

  useEffect(() => {
    if (!menuOpen) return
    // Focus the first action, so the menu is usable from the keyboard at once.
    root.current?.querySelector<HTMLButtonElement>('.message-menu button')?.focus()
  }, [menuOpen])

  const openMenu = (): void => {
    const row = root.current
    const list = row?.closest('[data-virtuoso-scroller]')
    if (row != null && list != null) {
      const rowBox = row.getBoundingClientRect()
      const listBox = list.getBoundingClientRect()
      setMenuUp(rowBox.top - listBox.top > listBox.height / 2)
    }
    setMenuOpen(true)
  }

  const closeMenu = (refocus: boolean): void => {
    setMenuOpen(false)
    if (refocus) toggle.current?.focus()
  }
  const act = (fn: () => void): void => {
    closeMenu(false)
    fn()
  }

  return (
    <div
      ref={root}
      className={[
        'message',
        own ? 'message-own' : 'message-other',
        grouped ? 'message-grouped' : '',
        highlighted ? 'message-highlighted' : '',
      ].join(' ')}
      data-testid="message-item"
      data-message-id={message.id}
      data-author={author}
      data-status={message.status}
      onBlur={(event) => {
        if (menuOpen && !event.currentTarget.contains(event.relatedTarget as Node | null)) {
          setMenuOpen(false)
        }
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && menuOpen) {
          event.stopPropagation()
          closeMenu(true)
        }
      }}
    >
      <div className="bubble">
        {!grouped && !own && <div className="message-author">{author}</div>}
        {message.replyTo !== undefined && (
          <button
            type="button"
            className="reply-quote"
            onClick={() => actions.jumpTo(message.replyTo!)}
            aria-label={
              quote !== undefined
                ? `In reply to ${quote.author}: ${quote.text}`
                : 'In reply to an earlier message'
            }
          >
            <span className="reply-quote-author">{quote?.author ?? 'Earlier message'}</span>
            <span className="reply-quote-text">{quote?.text ?? '…'}</span>
          </button>
        )}
        {message.deleted ? (
          <p className="message-deleted" data-testid="message-deleted">
            This message was deleted
          </p>
        ) : (
          <p className="message-text" data-testid="message-text">
            {message.text}
          </p>
        )}
        <div className="message-meta">
          {message.editedAt !== undefined && !message.deleted && (
            <span className="message-edited">edited</span>
          )}
          <time dateTime={new Date(time).toISOString()}>{timeOfDay(time)}</time>
          {own && <DeliveryTicks status={message.status} />}
        </div>
      </div>
      {reactions.length > 0 && (
        <ul className="reactions" aria-label="Reactions">
          {reactions.map(([reaction, users]) => {
            const mine = users.includes(self as (typeof users)[number])
            return (
              <li key={reaction}>
                <button
                  type="button"
                  className="reaction"
                  data-testid="reaction"
                  data-reaction={reaction}
                  aria-pressed={mine}
                  title={users.map(nameOf).join(', ')}
                  aria-label={`${reaction} ${users.length}, ${mine ? 'remove your reaction' : 'react too'}`}
                  onClick={() => actions.toggleReaction(message, reaction, mine)}
                >
                  {reaction} <span>{users.length}</span>
                </button>
              </li>
            )
          })}
        </ul>
      )}
      {message.status === 'failed' && own && (
        <div className="message-failed" role="alert">
          <span>Not sent{message.failure !== undefined ? `: ${message.failure.message}` : ''}</span>
          <button type="button" data-testid="retry-button" onClick={() => actions.retry(message)}>
            Retry
          </button>
        </div>
      )}
      {!message.deleted && (
        <div className={`message-actions${menuOpen ? ' message-actions-open' : ''}`}>
          <button
            ref={toggle}
            type="button"
            className="icon-button"
            data-testid="message-actions-button"
            aria-label={`Actions for message from ${author}`}
            aria-haspopup="true"
            aria-expanded={menuOpen}
            onClick={() => (menuOpen ? closeMenu(true) : openMenu())}
          >
            ⋯
          </button>
          {menuOpen && (
            <div
              className={`message-menu${menuUp ? ' message-menu-up' : ''}`}
              role="group"
              aria-label="Message actions"
            >
              <div className="message-menu-reactions">
                {QUICK_REACTIONS.map((reaction) => {
                  const mine = message.reactions[reaction]?.includes(self as never) ?? false
                  return (
                    <button
                      key={reaction}
                      type="button"
                      data-testid="react-button"
                      data-reaction={reaction}
                      aria-pressed={mine}
                      aria-label={`React with ${reaction}`}
                      onClick={() => act(() => actions.toggleReaction(message, reaction, mine))}
                    >
                      {reaction}
                    </button>
                  )
                })}
              </div>
              <button
                type="button"
                data-testid="reply-button"
                onClick={() => act(() => actions.reply(message))}
              >
                Reply
              </button>
              {own && (
                <>
                  <button
                    type="button"
                    data-testid="edit-button"
                    onClick={() => act(() => actions.edit(message))}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    data-testid="delete-button"
                    onClick={() => act(() => actions.remove(message))}
                  >
                    Delete
                  </button>
                </>
              )}
            </div>
          )}
        </div>
      )}
    </div>
  )
}

/** A message row; re-renders only when something it shows changed. */
export const MessageRow = memo(
  MessageRowView,
  (a, b) =>
    sameMessage(a.message, b.message) &&
    a.author === b.author &&
    a.own === b.own &&
    a.self === b.self &&
    a.grouped === b.grouped &&
    a.highlighted === b.highlighted &&
    a.quote?.id === b.quote?.id &&
    a.quote?.text === b.quote?.text &&
    a.quote?.author === b.quote?.author &&
    a.actions === b.actions &&
    a.nameOf === b.nameOf,
)
