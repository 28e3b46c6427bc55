// One LiveStore per (client, subject), so every hook reading the same conversation shares one
// subscription to the engine. A store leaves the cache when its last reader unmounts and comes
// back if it is subscribed again (React StrictMode re-runs effects on the same store).
import type { ConversationState, ConversationSummary, SyncStatus } from '@parley/core'
import type { ParleyClientLike } from '../parley-client-like.js'
import { LiveStore, type LiveSource } from './live-store.js'

const caches = new WeakMap<ParleyClientLike, Map<string, LiveStore<unknown>>>()

function cached<T>(client: ParleyClientLike, key: string, source: LiveSource<T>): LiveStore<T> {
  let cache = caches.get(client)
  if (cache === undefined) {
    cache = new Map()
    caches.set(client, cache)
  }
  const existing = cache.get(key)
  if (existing !== undefined) return existing as LiveStore<T>
  const map = cache
  const store: LiveStore<T> = new LiveStore(source, {
    onActive: () => {
      if (!map.has(key)) map.set(key, store as LiveStore<unknown>)
    },
    onIdle: () => {
      if (map.get(key) === store) map.delete(key)
    },
  })
  // Cached at once so every render finds the same store; an idle store costs one small object.
  map.set(key, store as LiveStore<unknown>)
  return store
}

/** The shared live conversation list of `client`. @internal */
export function conversationsStore(client: ParleyClientLike): LiveStore<ConversationSummary[]> {
  return cached(client, 'conversations', {
    subscribe: (listener) => client.subscribeConversations(listener),
    load: () => client.listConversations(),
  })
}

/** The shared live state of one conversation. @internal */
export function conversationStore(
  client: ParleyClientLike,
  conversationId: string,
): LiveStore<ConversationState> {
  return cached(client, `conversation:${conversationId}`, {
    subscribe: (listener) => client.subscribeConversation(conversationId, listener),
    load: () => client.conversationState(conversationId),
  })
}

/** The shared live sync status of `client`. @internal */
export function syncStatusStore(client: ParleyClientLike): LiveStore<SyncStatus> {
  return cached(client, 'sync-status', {
    subscribe: (listener) => client.subscribeSyncStatus(listener),
    load: () => client.syncStatus(),
  })
}
