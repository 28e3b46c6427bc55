import { useMemo, useSyncExternalStore } from 'react'
import type { ConversationState } from '@parley/core'
import { conversationStore } from './internal/store-cache.js'
import { useParley } from './use-parley.js'

/** What {@link useConversation} returns. */
export interface ConversationResult {
  /** Meta, newest page, unread count and presence; `undefined` until the first state arrives. */
  readonly conversation: ConversationState | undefined
  /** `true` until the first state (or an error) arrives. */
  readonly loading: boolean
  /** Why the conversation could not be read (e.g. unknown id); cleared by the next live state. */
  readonly error: Error | undefined
}

/**
 * The live state of one conversation. Every hook reading the same conversation
 * (`useConversation`, `useMessages`, `usePresence`, `useTyping`) shares one subscription,
 * released when the last of them unmounts. Changing `conversationId` switches the subscription.
 */
export function useConversation(conversationId: string): ConversationResult {
  const client = useParley()
  const store = useMemo(() => conversationStore(client, conversationId), [client, conversationId])
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
  return useMemo(
    () => ({ conversation: snapshot.value, loading: snapshot.loading, error: snapshot.error }),
    [snapshot],
  )
}
