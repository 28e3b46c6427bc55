import { useEffect, useState } from 'react'
import type { RejectedUpdate } from '@parley/core'
import { useParley } from './use-parley.js'

/** How many refusals {@link useRejectedUpdates} keeps. */
const KEEP = 50

/**
 * Updates from other devices that the engine refused (docs/TRUST.md) since the component
 * mounted, newest last — of one conversation, or of all when `conversationId` is omitted. For a
 * "some changes by Mallory were refused" line; nothing of them was applied.
 */
export function useRejectedUpdates(conversationId?: string): readonly RejectedUpdate[] {
  const client = useParley()
  const [rejected, setRejected] = useState<readonly RejectedUpdate[]>([])
  useEffect(() => {
    setRejected([])
    return client.subscribeRejected((event) => {
      if (conversationId !== undefined && event.conversationId !== conversationId) return
      setRejected((list) => [...list.slice(-(KEEP - 1)), event])
    })
  }, [client, conversationId])
  return rejected
}
