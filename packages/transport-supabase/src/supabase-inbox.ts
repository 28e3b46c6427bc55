// The notice channel of a remote log: the private Realtime channel `inbox:<userId>`, on which
// the database announces (with `realtime.send`, after commit) that a conversation's log grew,
// that the user joined or left one (docs/SCHEMA.md §4), or that the members of one of the
// user's conversations changed (docs/TRUST.md). It follows the signed-in user, rejoins
// when Realtime closes it (token expiry), and reports `online`/`offline` so the engine knows
// when notices may have been missed.
import {
  createRetryPolicy,
  isUuid,
  RemoteLogError,
  type ConversationId,
  type RemoteLogEvents,
  type RemoteLogInboxStatus,
} from '@parley/core/ports'
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import type { SupabaseExternalAuth } from './external-auth.js'
import { watchRealtimeConnection } from './watch-realtime-connection.js'

/** The notices of an inbox: the {@link RemoteLogEvents} the database sends. */
export type SupabaseInboxNotice =
  'conversation-updated' | 'conversation-joined' | 'conversation-left' | 'members-changed'

/** What the inbox reports to its remote log. */
export interface SupabaseInboxHandlers {
  notice<E extends SupabaseInboxNotice>(event: E, payload: RemoteLogEvents[E]): void
  status(status: RemoteLogInboxStatus): void
  error(error: RemoteLogError): void
}

/** A running inbox. */
export interface SupabaseInbox {
  readonly status: RemoteLogInboxStatus
  close(): void
}

const NOTICES = new Set<string>([
  'conversation-updated',
  'conversation-joined',
  'conversation-left',
  'members-changed',
] satisfies SupabaseInboxNotice[])

/**
 * Opens the inbox of whoever is signed in on `client` (and of whoever signs in later), or of
 * `externalAuth.userId` when the session is owned elsewhere.
 */
export function openSupabaseInbox(
  client: SupabaseClient,
  handlers: SupabaseInboxHandlers,
  externalAuth?: SupabaseExternalAuth,
): SupabaseInbox {
  const retry = createRetryPolicy({
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    isRetryable: () => true,
  })
  let status: RemoteLogInboxStatus = 'connecting'
  let userId: string | null = null
  let channel: RealtimeChannel | undefined
  let failures = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const setStatus = (next: RemoteLogInboxStatus) => {
    if (status === next || closed) return
    status = next
    handlers.status(next)
  }
  const report = (message: string, cause?: unknown) =>
    closed
      ? undefined
      : handlers.error(
          new RemoteLogError('unknown', `inbox: ${message}`, {
            operation: 'inbox',
            ...(cause !== undefined && { cause }),
          }),
        )

  const onBroadcast = (message: { event?: unknown; payload?: unknown }) => {
    if (closed || typeof message.event !== 'string' || !NOTICES.has(message.event)) return
    const payload = message.payload as { conversation_id?: unknown; seq?: unknown } | null
    const id = payload?.conversation_id
    if (!isUuid(id)) {
      handlers.error(
        new RemoteLogError('invalid-response', `inbox: dropped a malformed ${message.event}`, {
          operation: 'inbox',
        }),
      )
      return
    }
    const conversationId = id as ConversationId
    if (message.event === 'conversation-updated') {
      const seq = payload?.seq
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
        handlers.error(
          new RemoteLogError('invalid-response', 'inbox: dropped a notice with a bad seq', {
            operation: 'inbox',
          }),
        )
        return
      }
      handlers.notice('conversation-updated', { conversationId, seq })
    } else if (message.event === 'conversation-joined') {
      handlers.notice('conversation-joined', { conversationId })
    } else if (message.event === 'members-changed') {
      handlers.notice('members-changed', { conversationId })
    } else {
      handlers.notice('conversation-left', { conversationId })
    }
  }

  const drop = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const old = channel
    channel = undefined
    if (old) client.removeChannel(old).catch((cause: unknown) => report('leaving failed', cause))
  }

  const join = async () => {
    if (closed || userId === null) return
    const owner = userId
    try {
      if (externalAuth !== undefined) await client.realtime.setAuth()
      else {
        const { data } = await client.auth.getSession()
        await client.realtime.setAuth(data.session?.access_token ?? null)
      }
    } catch (cause) {
      report('reading the session failed', cause)
    }
    if (closed || userId !== owner) return
    const current = client.channel(`inbox:${owner}`, {
      config: { private: true, broadcast: { self: false, ack: false } },
    })
    channel = current
    current.on('broadcast', { event: '*' }, onBroadcast)
    current.subscribe((state, error) => {
      if (closed || channel !== current) return
      if (state === 'SUBSCRIBED') {
        failures = 0
        setStatus('online')
      } else if (state === 'CHANNEL_ERROR' || state === 'TIMED_OUT') {
        // supabase-js rejoins errored channels by itself.
        setStatus('offline')
        if (client.realtime.isConnected())
          report(`joining failed: ${error?.message ?? state}`, error)
      } else if (state === 'CLOSED') {
        // Realtime closed it (e.g. the token expired): supabase-js will not rejoin, we do.
        setStatus('offline')
        channel = undefined
        client.removeChannel(current).catch((cause: unknown) => report('leaving failed', cause))
        timer = setTimeout(() => {
          timer = undefined
          void join()
        }, retry.delayMs(failures++))
      }
    })
  }

  const follow = (nextUser: string | null) => {
    if (closed || nextUser === userId) return
    drop()
    userId = nextUser
    if (userId === null) setStatus('offline')
    else {
      setStatus('connecting')
      void join()
    }
  }

  const stopWatching = watchRealtimeConnection(
    client,
    () => undefined,
    () => {
      if (!client.realtime.isConnected() && channel !== undefined) setStatus('offline')
    },
  )
  let unsubscribe: () => void
  if (externalAuth !== undefined) {
    unsubscribe = externalAuth.onTokenChange(() => {
      // A join refused for the lack of a token need not wait out its backoff.
      if (closed || channel !== undefined) return
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      void join()
    })
    follow(externalAuth.userId)
  } else {
    const { data } = client.auth.onAuthStateChange((event, session) => {
      // auth-js holds its lock while calling listeners: act on the next task.
      setTimeout(() => follow(event === 'SIGNED_OUT' ? null : (session?.user.id ?? userId)), 0)
    })
    unsubscribe = () => data.subscription.unsubscribe()
  }

  return {
    get status() {
      return status
    },
    close() {
      if (closed) return
      drop()
      stopWatching()
      unsubscribe()
      status = 'closed'
      handlers.status('closed')
      closed = true
    },
  }
}
