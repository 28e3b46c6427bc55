// React bindings for Parley: a provider for the tab's ParleyClient and live hooks over it.
export { ParleyProvider, type ParleyProviderProps } from './parley-provider.js'
export { useParley } from './use-parley.js'
export type { ParleyClientLike } from './parley-client-like.js'
export {
  ParleyReactError,
  isParleyReactError,
  type ParleyReactErrorCode,
} from './parley-react-error.js'
export { useConversations, type ConversationsResult } from './use-conversations.js'
export { useConversation, type ConversationResult } from './use-conversation.js'
export {
  useMessages,
  DEFAULT_PAGE_SIZE,
  type MessagesResult,
  type UseMessagesOptions,
} from './use-messages.js'
export { usePresence } from './use-presence.js'
export {
  useTyping,
  DEFAULT_TYPING_RENEW_MS,
  type TypingResult,
  type UseTypingOptions,
} from './use-typing.js'
export { useSyncStatus, type SyncStatusResult } from './use-sync-status.js'
export { useParleySession } from './use-parley-session.js'
export { useMembers, type MemberInfo } from './use-members.js'
export {
  useMarkReadWhenVisible,
  type UseMarkReadWhenVisibleOptions,
} from './use-mark-read-when-visible.js'
export { useParleyError, type ParleyErrorResult } from './use-parley-error.js'
export { useRejectedUpdates } from './use-rejected-updates.js'
