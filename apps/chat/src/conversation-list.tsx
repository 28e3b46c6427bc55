// The conversation list: title, last message, unread badge, newest activity first (live).
import { useConversations } from '@parley/react'
import { listTime } from './format.js'
import { routeHash } from './routes.js'
import { shortUserLabel, useDisplayNames } from './use-display-names.js'

/** Props of {@link ConversationList}. */
export interface ConversationListProps {
  /** The open conversation, highlighted. */
  activeId: string | undefined
}

/** The list. */
export function ConversationList({ activeId }: ConversationListProps) {
  const { conversations, loading, error } = useConversations()
  const authors = conversations.flatMap((c) => (c.lastAuthor !== undefined ? [c.lastAuthor] : []))
  const names = useDisplayNames(authors, conversations)

  if (error !== undefined) {
    return (
      <p className="error" role="alert">
        Could not read conversations: {error.message}
      </p>
    )
  }
  if (loading) return <p className="muted list-placeholder">Loading conversations…</p>
  if (conversations.length === 0) {
    return (
      <p className="muted list-placeholder">
        No conversations yet. Start one, or join with an invite code below.
      </p>
    )
  }
  return (
    <nav aria-label="Conversation list">
      <ul className="conversation-list">
        {conversations.map((c) => {
          const author =
            c.lastAuthor === undefined
              ? undefined
              : (names[c.lastAuthor] ?? shortUserLabel(c.lastAuthor))
          const title = c.title !== '' ? c.title : 'Untitled conversation'
          return (
            <li key={c.id}>
              <a
                className="conversation-item"
                href={routeHash({ kind: 'conversation', id: c.id })}
                data-testid="conversation-item"
                data-conversation-id={c.id}
                aria-current={c.id === activeId ? 'page' : undefined}
              >
                <span className="conversation-avatar" aria-hidden="true">
                  {title.slice(0, 1).toUpperCase()}
                </span>
                <span className="conversation-body">
                  <span className="conversation-top">
                    <span className="conversation-title">{title}</span>
                    <time
                      className="conversation-time"
                      dateTime={new Date(c.lastActivity).toISOString()}
                    >
                      {listTime(c.lastActivity)}
                    </time>
                  </span>
                  <span className="conversation-bottom">
                    <span className="conversation-preview">
                      {c.lastMessagePreview === ''
                        ? 'No messages yet'
                        : author !== undefined
                          ? `${author}: ${c.lastMessagePreview}`
                          : c.lastMessagePreview}
                    </span>
                    {c.unreadCount > 0 && (
                      <span
                        className="unread-badge"
                        data-testid="unread-badge"
                        aria-label={`${c.unreadCount} unread`}
                      >
                        {c.unreadCount}
                      </span>
                    )}
                  </span>
                </span>
              </a>
            </li>
          )
        })}
      </ul>
    </nav>
  )
}
