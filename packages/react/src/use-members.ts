import { useMemo } from 'react'
import type { MemberRole, UserId } from '@parley/core'
import { useConversation } from './use-conversation.js'
import { useParley } from './use-parley.js'

/** A member of a conversation with what the UI shows next to them. */
export interface MemberInfo {
  readonly user: UserId
  /** The name the member recorded when joining; empty when none. */
  readonly displayName: string
  readonly role: MemberRole
  /**
   * `online` when some device of theirs has the conversation open and active, `away` when their
   * devices are present but idle or in the background, `offline` otherwise. The local user is
   * `online` (this tab shows the conversation).
   */
  readonly presence: 'online' | 'away' | 'offline'
  /** Whether one of their devices is typing now. */
  readonly typing: boolean
  /** Whether this is the signed-in user. */
  readonly isMe: boolean
}

const NOBODY: readonly MemberInfo[] = Object.freeze([])

/**
 * The members of a conversation with their display names, presence and typing, the local user
 * first and then by name. Shares `useConversation`'s subscription; empty while loading.
 */
export function useMembers(conversationId: string): readonly MemberInfo[] {
  const me = useParley().info.user
  const { conversation } = useConversation(conversationId)
  return useMemo(() => {
    if (conversation === undefined) return NOBODY
    const presence = new Map<string, { online: boolean; typing: boolean }>()
    for (const entry of conversation.presence) {
      const seen = presence.get(entry.user) ?? { online: false, typing: false }
      presence.set(entry.user, {
        online: seen.online || entry.status === 'online',
        typing: seen.typing || entry.typing,
      })
    }
    const members = conversation.members.map((member): MemberInfo => {
      const isMe = member.user === me
      const seen = presence.get(member.user)
      return {
        user: member.user,
        displayName: member.name ?? '',
        role: member.role,
        presence: isMe
          ? 'online'
          : seen === undefined
            ? 'offline'
            : seen.online
              ? 'online'
              : 'away',
        typing: !isMe && (seen?.typing ?? false),
        isMe,
      }
    })
    return members.sort((a, b) =>
      a.isMe !== b.isMe ? (a.isMe ? -1 : 1) : a.displayName.localeCompare(b.displayName),
    )
  }, [conversation, me])
}
