// Broadcasts written in SQL (`realtime.send`, `realtime.send_binary`, inserts into
// realtime.messages) arrive as NOTIFY messages and fan out like Realtime's replication stream
// does: a kind-4 frame carrying `{"id": <row id>}` as metadata (SUPABASE-PROTOCOL.md §1.7).
import type { Database } from '../db/database.js'
import { REALTIME_NOTIFY_CHANNEL } from '../db/bootstrap.js'
import { resolveRealtimeNotification } from '../db/realtime-notification.js'
import { roomKey } from './channel-registry.js'
import type { RealtimeContext } from './realtime-context.js'

/**
 * Listens for database broadcasts. Notifications are handled one after another so subscribers
 * see them in commit order. Resolves with a function that stops listening.
 */
export async function listenForDatabaseBroadcasts(
  ctx: RealtimeContext,
  db: Database,
): Promise<() => Promise<void>> {
  let chain = Promise.resolve()
  const onNotify = (text: string) => {
    chain = chain
      .then(async () => {
        const row = await resolveRealtimeNotification(db, text)
        if (row === undefined) {
          ctx.logger.warn('realtime: ignored malformed database notification', { text })
          return
        }
        ctx.router.broadcast(roomKey(row.private, row.topic), {
          type: 'user-broadcast',
          wire: 'binary',
          topic: `realtime:${row.topic}`,
          userEvent: row.event,
          meta: { id: row.id },
          payload:
            row.payload.type === 'json'
              ? { encoding: 'json', json: JSON.stringify(row.payload.value ?? null) }
              : { encoding: 'binary', bytes: row.payload.bytes },
        })
      })
      .catch((error: unknown) => {
        ctx.logger.error('realtime: database broadcast failed', { error })
      })
  }
  const unlisten = await db.listen(REALTIME_NOTIFY_CHANNEL, onNotify)
  return async () => {
    await unlisten()
    await chain
  }
}
