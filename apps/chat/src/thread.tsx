// One conversation: header (title, participants, invite), the virtualized message list with
// day separators that loads older messages when scrolled to the top, the typing indicator and
// the composer. Messages are marked read while the thread is visible.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso'
import type { MessageItem } from '@parley/core'
import { useConversation, useMessages, useParley, usePresence, useTyping } from '@parley/react'
import { Composer, type ComposerHandle, type ComposerMode } from './composer.js'
import { dayKey, dayLabel, stampTime } from './format.js'
import { InvitePanel } from './invite-panel.js'
import { MessageRow, type MessageActions, type ReplyQuote } from './message-row.js'
import { useNotify } from './notices.js'
import { PresenceDots } from './presence-dots.js'
import { RefusedUpdates } from './refused-updates.js'
import { TypingIndicator } from './typing-indicator.js'
import { shortUserLabel, useDisplayNames } from './use-display-names.js'

/** Props of {@link Thread}. */
export interface ThreadProps {
  conversationId: string
  /** The local user. */
  self: string
}

type Row =
  | { readonly kind: 'day'; readonly key: string; readonly label: string }
  | {
      readonly kind: 'message'
      readonly key: string
      readonly message: MessageItem
      readonly grouped: boolean
    }

/** Messages within this time of the previous one by the same author share its header. */
const GROUP_MS = 5 * 60_000
/** Virtuoso's index of the first row before any older page was loaded (see firstItemIndex). */
const FIRST_INDEX = 1_000_000
const NEW: ComposerMode = { kind: 'new' }

/** What the list's header needs (Virtuoso passes it as `context`). */
interface ListContext {
  readonly hasOlder: boolean
  readonly loadingOlder: boolean
  readonly loadOlder: () => Promise<void>
}

/** The top of the list: a button for older messages, or the start of the conversation. */
function ThreadStart({ context }: { context: ListContext }) {
  return (
    <div className="thread-start">
      {context.hasOlder ? (
        <button
          type="button"
          disabled={context.loadingOlder}
          onClick={() => void context.loadOlder()}
        >
          {context.loadingOlder ? 'Loading older messages…' : 'Load older messages'}
        </button>
      ) : (
        <span className="muted">Start of the conversation</span>
      )}
    </div>
  )
}

// Defined once: a new components object per render would remount the header.
const LIST_COMPONENTS = { Header: ThreadStart }

function buildRows(messages: readonly MessageItem[]): Row[] {
  const rows: Row[] = []
  let day: string | undefined
  let previous: { author: string; time: number } | undefined
  for (const message of messages) {
    const time = stampTime(message.hlc)
    const key = dayKey(time)
    if (key !== day) {
      rows.push({ kind: 'day', key: `day:${key}`, label: dayLabel(time) })
      day = key
      previous = undefined
    }
    const grouped =
      previous !== undefined &&
      previous.author === message.author &&
      time - previous.time < GROUP_MS
    rows.push({ kind: 'message', key: message.id, message, grouped })
    previous = { author: message.author, time }
  }
  return rows
}

/**
 * Virtuoso keeps the scroll position when rows are prepended if `firstItemIndex` drops by the
 * number of rows added in front. The previous first message is the anchor: how far it moved is
 * how many rows came before it. When it is gone (the hook restarted its history), the list is
 * remounted (`epoch`).
 */
function usePrependTracking(rows: readonly Row[]): { firstItemIndex: number; epoch: number } {
  const state = useRef({
    anchor: undefined as string | undefined,
    at: 0,
    first: FIRST_INDEX,
    epoch: 0,
  })
  return useMemo(() => {
    const s = state.current
    if (s.anchor !== undefined) {
      const at = rows.findIndex((row) => row.key === s.anchor)
      if (at < 0) {
        s.epoch++
        s.first = FIRST_INDEX
      } else {
        s.first -= at - s.at
      }
    }
    const firstMessage = rows.findIndex((row) => row.kind === 'message')
    s.anchor = firstMessage >= 0 ? rows[firstMessage]!.key : undefined
    s.at = firstMessage
    return { firstItemIndex: s.first, epoch: s.epoch }
  }, [rows])
}

/** The thread view. */
export function Thread({ conversationId, self }: ThreadProps) {
  const client = useParley()
  const notify = useNotify()
  const { conversation, error: conversationError } = useConversation(conversationId)
  const { messages, hasOlder, loadOlder, loading, loadingOlder, error } =
    useMessages(conversationId)
  const presence = usePresence(conversationId)
  const { typingUsers, setTyping } = useTyping(conversationId)
  const [mode, setMode] = useState<ComposerMode>(NEW)
  const [inviteOpen, setInviteOpen] = useState(false)
  const virtuoso = useRef<VirtuosoHandle>(null)
  const composer = useRef<ComposerHandle>(null)
  const stickToBottom = useRef(false)

  const authors = useMemo(() => [...new Set(messages.map((m) => m.author))], [messages])
  const names = useDisplayNames(
    [...authors, ...presence.map((p) => p.user), ...typingUsers, self],
    messages.length + presence.length,
  )
  const nameOf = useCallback((user: string) => names[user] ?? shortUserLabel(user), [names])

  const rows = useMemo(() => buildRows(messages), [messages])
  const { firstItemIndex, epoch } = usePrependTracking(rows)
  const byId = useMemo(() => new Map(messages.map((m) => [m.id as string, m])), [messages])
  // Read by `jumpTo` at call time, so the actions object (and every memoized row) stays the same
  // when messages arrive.
  const currentRows = useRef(rows)
  useEffect(() => {
    currentRows.current = rows
  }, [rows])

  // Read receipts: while this thread is on screen, everything received counts as read.
  const lastFromOthers = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.author !== self) return messages[i]!.id
    }
    return undefined
  }, [messages, self])
  const unread = conversation?.unreadCount ?? 0
  useEffect(() => {
    if (lastFromOthers === undefined && unread === 0) return
    const mark = (): void => {
      if (document.visibilityState !== 'visible') return
      client.markRead(conversationId).catch((reason: unknown) => {
        console.warn('[parley] markRead', reason)
      })
    }
    mark()
    document.addEventListener('visibilitychange', mark)
    window.addEventListener('focus', mark)
    return () => {
      document.removeEventListener('visibilitychange', mark)
      window.removeEventListener('focus', mark)
    }
  }, [client, conversationId, lastFromOthers, unread])

  // After the local user sends, show the newest message even if they had scrolled up.
  useEffect(() => {
    if (!stickToBottom.current) return
    stickToBottom.current = false
    virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
  }, [rows])

  // Focus the composer when a conversation opens (keyboard users land where they type).
  useEffect(() => {
    composer.current?.focus()
  }, [conversationId])

  const actions = useMemo<MessageActions>(
    () => ({
      reply: (message) => setMode({ kind: 'reply', message, author: nameOf(message.author) }),
      edit: (message) => setMode({ kind: 'edit', message }),
      remove: (message) => {
        client.delete(conversationId, message.id).catch((reason: unknown) => {
          notify('Could not delete the message', reason)
        })
        composer.current?.focus()
      },
      toggleReaction: (message, reaction, mine) => {
        const call = mine
          ? client.unreact(conversationId, message.id, reaction)
          : client.react(conversationId, message.id, reaction)
        call.catch((reason: unknown) => notify('Could not save the reaction', reason))
      },
      retry: (message) => {
        client.retry(conversationId, message.id).catch((reason: unknown) => {
          notify('Retry failed', reason)
        })
      },
      jumpTo: (messageId) => {
        // scrollToIndex takes the position in `data` (not shifted by firstItemIndex).
        const index = currentRows.current.findIndex((row) => row.key === messageId)
        if (index >= 0) virtuoso.current?.scrollToIndex({ index, align: 'center' })
        else notify('That message is further back: scroll up to load it')
      },
    }),
    [client, conversationId, nameOf, notify],
  )

  const editLast = useCallback(() => {
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i]!
      if (message.author === self && !message.deleted) {
        setMode({ kind: 'edit', message })
        return
      }
    }
  }, [messages, self])

  const quoteOf = (message: MessageItem): ReplyQuote | undefined => {
    if (message.replyTo === undefined) return undefined
    const quoted = byId.get(message.replyTo)
    if (quoted === undefined) return undefined
    return {
      id: quoted.id,
      author: nameOf(quoted.author),
      text: quoted.deleted ? 'Deleted message' : quoted.text.slice(0, 120),
    }
  }

  const title = conversation?.meta.title ?? ''
  const highlighted = mode.kind === 'new' ? undefined : mode.message.id

  if (conversationError !== undefined && conversation === undefined) {
    return (
      <section className="thread thread-missing" aria-label="Conversation">
        <p role="alert">This conversation is not on this device: {conversationError.message}</p>
        <a href="#/">Back to conversations</a>
      </section>
    )
  }

  return (
    <section
      className="thread"
      aria-label={title !== '' ? `Conversation ${title}` : 'Conversation'}
    >
      <header className="thread-header">
        <a className="back icon-button" href="#/" aria-label="Back to conversations">
          ←
        </a>
        <div className="thread-heading">
          <h2>{title !== '' ? title : 'Untitled conversation'}</h2>
          <PresenceDots presence={presence} authors={authors} self={self} nameOf={nameOf} />
        </div>
        <button
          type="button"
          data-testid="invite-button"
          aria-expanded={inviteOpen}
          onClick={() => setInviteOpen((open) => !open)}
        >
          Invite
        </button>
      </header>
      <RefusedUpdates conversationId={conversationId} nameOf={nameOf} />
      {inviteOpen && (
        <InvitePanel conversationId={conversationId} onClose={() => setInviteOpen(false)} />
      )}
      <div className="message-list" data-testid="message-list" role="log" aria-label="Messages">
        {error !== undefined && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        {loading ? (
          <p className="muted thread-placeholder">Loading messages…</p>
        ) : rows.length === 0 ? (
          <p className="muted thread-placeholder">No messages yet. Say hello!</p>
        ) : (
          <Virtuoso<Row, ListContext>
            key={epoch}
            ref={virtuoso}
            className="virtuoso"
            data={rows}
            firstItemIndex={firstItemIndex}
            initialTopMostItemIndex={rows.length - 1}
            computeItemKey={(_, row) => row.key}
            alignToBottom
            followOutput={(atBottom) => (atBottom ? 'auto' : false)}
            increaseViewportBy={{ top: 1600, bottom: 600 }}
            startReached={() => {
              if (hasOlder) void loadOlder()
            }}
            components={LIST_COMPONENTS}
            context={{ hasOlder, loadingOlder, loadOlder }}
            itemContent={(_, row) =>
              row.kind === 'day' ? (
                <div className="day-separator" role="separator" aria-label={row.label}>
                  <span>{row.label}</span>
                </div>
              ) : (
                <MessageRow
                  message={row.message}
                  author={nameOf(row.message.author)}
                  own={row.message.author === self}
                  self={self}
                  grouped={row.grouped}
                  quote={quoteOf(row.message)}
                  highlighted={highlighted === row.message.id}
                  actions={actions}
                  nameOf={nameOf}
                />
              )
            }
          />
        )}
      </div>
      <TypingIndicator names={typingUsers.map(nameOf)} />
      <Composer
        ref={composer}
        conversationId={conversationId}
        self={self}
        mode={mode}
        onModeDone={() => setMode(NEW)}
        onSent={() => {
          stickToBottom.current = true
        }}
        onEditLast={editLast}
        setTyping={setTyping}
      />
    </section>
  )
}
