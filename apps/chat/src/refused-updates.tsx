// A line under the thread header when changes from another member were refused (docs/TRUST.md):
// "2 changes by Mallory were refused". Nothing of them was applied; this only says so.
import { useRejectedUpdates } from '@parley/react'

/** Props of {@link RefusedUpdates}. */
export interface RefusedUpdatesProps {
  conversationId: string
  nameOf: (userId: string) => string
}

/** The refused-changes line; absent while there is none. */
export function RefusedUpdates({ conversationId, nameOf }: RefusedUpdatesProps) {
  const rejected = useRejectedUpdates(conversationId)
  if (rejected.length === 0) return null
  const senders = [
    ...new Set(rejected.map((r) => (r.user !== undefined ? nameOf(r.user) : 'someone'))),
  ]
  const reasons = [...new Set(rejected.map((r) => r.reason))].join(', ')
  const count = rejected.length
  return (
    <p
      className="refused-updates"
      role="status"
      data-testid="rejected-updates"
      data-count={count}
      title={reasons}
    >
      {count === 1 ? '1 change' : `${count} changes`} by {senders.join(', ')}{' '}
      {count === 1 ? 'was' : 'were'} refused ({reasons})
    </p>
  )
}
