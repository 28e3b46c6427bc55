import { useCallback, useEffect, useMemo, useRef } from 'react'
import type { UserId } from '@parley/core'
import { useParleyContext } from './use-parley.js'
import { toError } from './parley-react-error.js'
import { usePresence } from './use-presence.js'

/** Options of {@link useTyping}. */
export interface UseTypingOptions {
  /**
   * Least time between two "typing" calls to the engine while the user keeps typing (each call
   * renews the indicator, which expires on its own). Default 1000 ms.
   */
  renewIntervalMs?: number
}

/** What {@link useTyping} returns. */
export interface TypingResult {
  /** Other users typing in the conversation now, each once (the local user excluded). */
  readonly typingUsers: readonly UserId[]
  /**
   * Call with `true` on every keystroke and `false` when the message is sent or the input
   * cleared. Cheap to call often: `true` reaches the engine at most once per `renewIntervalMs`;
   * `false` is sent at once, and only if `true` was. Failures go to the provider's `onError`.
   */
  readonly setTyping: (typing: boolean) => void
}

const NOBODY: readonly UserId[] = Object.freeze([])

/** Default of {@link UseTypingOptions.renewIntervalMs}. */
export const DEFAULT_TYPING_RENEW_MS = 1000

/**
 * Typing indicators of a conversation: who is typing, and a throttled `setTyping` for the local
 * user. The local indicator is cleared when the component unmounts or `conversationId` changes.
 */
export function useTyping(conversationId: string, options: UseTypingOptions = {}): TypingResult {
  const { client, onError } = useParleyContext()
  const renewMs = options.renewIntervalMs ?? DEFAULT_TYPING_RENEW_MS
  const presence = usePresence(conversationId)
  const self = client.info.user
  /** When `true` was last sent, for which conversation; `undefined` when not typing. */
  const sent = useRef<{ conversationId: string; at: number } | undefined>(undefined)

  // Every conversation update brings a new presence array; keep the list's identity while the
  // same users are typing, so components depending on it do not re-render for nothing.
  const lastTyping = useRef<readonly UserId[]>(NOBODY)
  const typingUsers = useMemo(() => {
    const users = new Set<UserId>()
    for (const entry of presence) if (entry.typing && entry.user !== self) users.add(entry.user)
    const next = [...users]
    const last = lastTyping.current
    if (next.length === last.length && next.every((user, i) => user === last[i])) return last
    return next
  }, [presence, self])
  useEffect(() => {
    lastTyping.current = typingUsers
  }, [typingUsers])

  const send = useCallback(
    (id: string, typing: boolean) => {
      client.setTyping(id, typing).catch((reason: unknown) => {
        onError(toError(reason))
      })
    },
    [client, onError],
  )

  const setTyping = useCallback(
    (typing: boolean) => {
      const last = sent.current
      if (!typing) {
        if (last === undefined) return
        sent.current = undefined
        send(last.conversationId, false)
        return
      }
      const now = Date.now()
      if (last?.conversationId === conversationId && now - last.at < renewMs) return
      sent.current = { conversationId, at: now }
      send(conversationId, true)
    },
    [conversationId, renewMs, send],
  )

  useEffect(
    () => () => {
      const last = sent.current
      if (last === undefined) return
      sent.current = undefined
      send(last.conversationId, false)
    },
    [conversationId, send],
  )

  return useMemo(() => ({ typingUsers, setTyping }), [typingUsers, setTyping])
}
