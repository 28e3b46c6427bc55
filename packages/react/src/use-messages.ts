import { useMemo, useSyncExternalStore } from 'react'
import type { MessageItem } from '@parley/core'
import { MessageList } from './internal/message-list.js'
import { conversationStore } from './internal/store-cache.js'
import { useParley } from './use-parley.js'

/** Options of {@link useMessages}. */
export interface UseMessagesOptions {
  /** How many messages `loadOlder` asks for at a time. Default 50. */
  pageSize?: number
}

/** What {@link useMessages} returns. */
export interface MessagesResult {
  /** The messages held, oldest first, ordered by (`hlc`, `id`), each id once. */
  readonly messages: readonly MessageItem[]
  /** Whether older messages exist before the first one (call `loadOlder`). */
  readonly hasOlder: boolean
  /**
   * Loads the page before the first message and merges it in. Calls while a load is running
   * share it. Never rejects: a failure is reported in `error`, so `void loadOlder()` is safe.
   */
  readonly loadOlder: () => Promise<void>
  /** `true` until the first live page (or an error) arrives. */
  readonly loading: boolean
  /** `true` while `loadOlder` runs. */
  readonly loadingOlder: boolean
  /** The last failure of `loadOlder`, else of the initial load; cleared by the next success. */
  readonly error: Error | undefined
}

/** Default of {@link UseMessagesOptions.pageSize}. */
export const DEFAULT_PAGE_SIZE = 50

/**
 * The messages of a conversation: the live newest page, merged with the older pages loaded by
 * `loadOlder`. A message in the live page updates in place (edits, reactions, status); messages
 * that scroll out of the live page as new ones arrive stay in the list as last seen. Older pages
 * are kept until `conversationId` (or `pageSize`) changes or the component unmounts.
 *
 * Known limits: a message outside the live page is not updated live (an edit to it shows after
 * a remount), and when more new messages arrive at once than the live page holds, the loaded
 * history is dropped and the list restarts from the live page (see `docs/REACT.md`).
 */
export function useMessages(
  conversationId: string,
  options: UseMessagesOptions = {},
): MessagesResult {
  const client = useParley()
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  const list = useMemo(
    () =>
      new MessageList(
        conversationStore(client, conversationId),
        (query) => client.page(conversationId, query),
        pageSize,
      ),
    [client, conversationId, pageSize],
  )
  const snapshot = useSyncExternalStore(list.subscribe, list.getSnapshot, list.getSnapshot)
  return useMemo(() => ({ ...snapshot, loadOlder: list.loadOlder }), [snapshot, list])
}
