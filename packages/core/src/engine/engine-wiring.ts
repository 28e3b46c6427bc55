// How the engine's subsystems are connected: which event of one becomes which call on another.
// Every subsystem owns its state and only reports; these functions are the one place where a
// report turns into an action, so the path of a change can be read here (docs/ENGINE.md).
import { ParleyError } from '../errors.js'
import type { ConversationId, UserId } from '../ids.js'
import type { RemoteLog } from '../ports/remote-log.js'
import type { StorageAdapter } from '../ports/storage-adapter.js'
import { LOCAL_ORIGIN, remoteOrigin } from '../transaction-origin.js'
import { isStorageError } from '../ports/storage-error.js'
import type { ConversationSession } from './conversation-session.js'
import type { DeliveredReceipts } from './delivered-receipts.js'
import type { EngineNotifier } from './engine-notifier.js'
import type { MessageFailure } from './engine-types.js'
import type { HotSessions } from './hot-sessions.js'
import type { LocalStore } from './local-store.js'
import { entriesMessageIds } from './outbox-entry.js'
import type { LiveTrust, PeerSync } from './peer-sync.js'
import type { DeviceSigner } from './device-signer.js'
import { ReplicaTrust } from './replica-trust.js'
import { SERVER_ORIGIN, createSessionDocuments } from './session-documents.js'
import type { OutboxPort } from './outbox-port.js'
import { ServerSync, type ServerSyncOptions, type ServerSyncPorts } from './server-sync.js'

/** The subsystems of one engine. */
export interface EngineParts {
  hot: HotSessions
  store: LocalStore
  peers: PeerSync
  notify: EngineNotifier
  delivered: DeliveredReceipts
  /** Set once the server is connected (an engine without `remote` has none). */
  server?: ServerSync
  /** The trust's view of devices and members; with the server. */
  trust?: ReplicaTrust
}

/**
 * The trust of an engine with a server: accepted updates from other devices are applied and
 * stored, refusals become `rejected` events, the server's members drive receipts, and a
 * membership change is read again.
 */
export function startTrust(
  remote: RemoteLog,
  signer: DeviceSigner,
  user: UserId,
  wallClock: () => number,
  parts: EngineParts,
): ReplicaTrust {
  const { hot, store, notify } = parts
  const trust = (parts.trust = new ReplicaTrust({
    remote,
    signer,
    user,
    wallClock,
    apply(session, update, from) {
      const origin = from === 'server' ? SERVER_ORIGIN : remoteOrigin(from)
      if (session.doc.applyUpdate(update, origin).ok) {
        store.writeRemote(session.id, [update]).catch(notify.error)
      }
    },
    membersLoaded: (id, members) => hot.get(id)?.doc.setMembers(members),
    rejected: (event) => notify.rejected(event),
  }))
  remote.on('members-changed', ({ conversationId }) => {
    trust.membersChanged(conversationId)
    if (hot.get(conversationId) !== undefined) trust.load(conversationId).catch(notify.error)
  })
  return trust
}

/** How PeerSync signs and admits updates on signed transports, through the engine's trust. */
export function liveTrust(
  signer: DeviceSigner,
  parts: Pick<EngineParts, 'hot' | 'trust'>,
): LiveTrust {
  return {
    sign: async (id, update) => ({
      device: signer.device,
      signature: await signer.sign(id, update),
    }),
    admit: async (id, message) => {
      const session = parts.hot.get(id)
      if (session === undefined || parts.trust === undefined) return false
      return parts.trust.admitLive(session, message)
    },
  }
}

/** The write path's reports: index changes, pushes to start, failed commits. */
export function wireStore(parts: EngineParts): void {
  const { store, notify, hot } = parts
  store.on('committed', ({ conversationIds, outboxEntries }) => {
    notify.indexChanged(conversationIds)
    if (outboxEntries === 0) return
    notify.status()
    void parts.server?.drain()
  })
  store.on('write-failed', ({ conversationId: id, messageIds, error }) =>
    notify.failed(id, hot.get(id), messageIds, storageFailure(error)),
  )
  store.on('error', ({ error }) => notify.error(error))
}

/** Live sync's reports: peers' updates are stored, presence is shown. */
export function wirePeers({ peers, store, notify }: EngineParts): void {
  peers.on('received', ({ conversationId, update }) => {
    store.writeRemote(conversationId, [update]).catch(notify.error)
  })
  peers.on('presence-changed', ({ conversationId }) => notify.changed(conversationId))
  peers.on('error', ({ error }) => notify.error(error))
}

/** What {@link connectServer} needs besides the server and the parts. */
export interface ServerSettings {
  signer: DeviceSigner
  user: UserId
  storage: StorageAdapter
  outbox: OutboxPort
  /** Hydrates a conversation (the engine's own `#session`). */
  open: (id: ConversationId) => Promise<ConversationSession>
  wallClock: () => number
  options: ServerSyncOptions | undefined
}

/** Connects an engine to its server: the trust first, then server sync over it. */
export function connectServer(
  remote: RemoteLog,
  settings: ServerSettings,
  parts: EngineParts,
): ServerSync {
  const { signer, user, storage, outbox, open, wallClock } = settings
  const trust = startTrust(remote, signer, user, wallClock, parts)
  const documents = createSessionDocuments(open, parts.hot, parts.store, storage, trust)
  const ports = { remote, outbox, documents, signer, wallClock }
  return startServerSync(ports, settings.options, parts)
}

/** Starts server sync over the engine's outbox and documents, wired to the other parts. */
export function startServerSync(
  ports: ServerSyncPorts,
  options: ServerSyncOptions | undefined,
  parts: EngineParts,
): ServerSync {
  const server = (parts.server = new ServerSync(ports, options))
  wireServer(server, parts)
  server.resync()
  return server
}

/** Server sync's reports: statuses move (`sent`, `failed`), channels are joined again. */
export function wireServer(server: ServerSync, { hot, notify, peers }: EngineParts): void {
  server.on('acknowledged', ({ conversationId, entries }) => {
    const session = hot.get(conversationId)
    if (session) {
      session.acknowledge(entriesMessageIds(entries))
      notify.changed(conversationId)
    }
    notify.status()
  })
  server.on('rejected', ({ conversationId: id, entries, failure }) => {
    const session = hot.get(id)
    if (session) notify.failed(id, session, entriesMessageIds(entries), failure)
  })
  server.on('created', ({ conversationId }) => peers.rejoin(conversationId))
  server.on('status-changed', () => notify.status())
  server.on('error', ({ error }) => notify.error(error))
}

/**
 * A hydrated session's document: a local change is marked `sending`, broadcast to peers at once
 * (live latency does not wait for storage) and queued on the write path, whose commit the intent
 * awaits; visible changes are announced; messages from others are receipted `delivered`.
 */
export function wireSession(session: ConversationSession, parts: EngineParts): void {
  const { store, peers, notify, delivered } = parts
  const { doc, id } = session
  const changed = (): void => notify.changed(id)
  doc.on('update', ({ update, origin, messageIds }) => {
    if (origin !== LOCAL_ORIGIN && origin.source !== 'local') return
    session.markPending(messageIds)
    peers.broadcast(id, update)
    void store.write(id, update, messageIds)
    notify.status()
  })
  doc.on('messages-changed', ({ added, origin }) => {
    changed()
    if (origin.source === 'remote' && added.length > 0) delivered.schedule(id)
  })
  doc.on('receipts-changed', changed)
  doc.on('meta-changed', changed)
  doc.on('status-changed', changed)
  doc.on('members-changed', changed)
  doc.on('rejected-record', ({ kind, key, reason }) =>
    notify.error(new ParleyError('invalid-update', `rejected ${kind} ${key}: ${reason}`)),
  )
  doc.on('invalid-update', ({ reason }) =>
    notify.error(new ParleyError('invalid-update', `invalid update (${reason})`)),
  )
  session.awareness.on('change', changed)
  // The server's members drive receipts ("read by everyone"); offline this waits for the next need.
  parts.trust?.load(id).catch(() => undefined)
}

/** How a failed commit shows on its messages. */
function storageFailure(error: unknown): MessageFailure {
  return isStorageError(error)
    ? { code: error.code, message: error.message }
    : { code: 'unknown', message: String(error) }
}
