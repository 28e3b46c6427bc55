import type { PresenceEntry } from '@parley/core'
import { useConversation } from './use-conversation.js'

const NOBODY: readonly PresenceEntry[] = Object.freeze([])

/**
 * Who else is in the conversation: one entry per other device (this device excluded), with its
 * status and whether it is typing. Empty while loading. Shares `useConversation`'s subscription.
 */
export function usePresence(conversationId: string): readonly PresenceEntry[] {
  return useConversation(conversationId).conversation?.presence ?? NOBODY
}
