import { useMemo, useSyncExternalStore } from 'react'
import type { ConversationSummary } from '@parley/core'
import { conversationsStore } from './internal/store-cache.js'
import { useParley } from './use-parley.js'

/** What {@link useConversations} returns. */
export interface ConversationsResult {
  /** The conversation list, newest activity first; empty while loading. */
  readonly conversations: readonly ConversationSummary[]
  /** `true` until the first list (or an error) arrives. */
  readonly loading: boolean
  /** Why the list could not be read; cleared by the next live list. */
  readonly error: Error | undefined
}

const NONE: readonly ConversationSummary[] = Object.freeze([])

/**
 * The live conversation list (read from the engine's index, no document opened). Every
 * component using it shares one subscription, released when the last one unmounts.
 */
export function useConversations(): ConversationsResult {
  const client = useParley()
  const store = useMemo(() => conversationsStore(client), [client])
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
  return useMemo(
    () => ({
      conversations: snapshot.value ?? NONE,
      loading: snapshot.loading,
      error: snapshot.error,
    }),
    [snapshot],
  )
}
