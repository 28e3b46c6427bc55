// One device of one user on a memory server: the RemoteLog an engine under test holds. The device
// owns its listeners and inbox status; the server reaches it only through a MemoryRemoteDevice.
import {
  isValidId,
  RemoteLogError,
  type RemoteLogEvents,
  type RemoteLogInboxStatus,
  type RemoteLogListener,
  type UserId,
} from '@parley/core/ports'
import type { MemoryDeviceHandlers } from './memory-device-handlers.js'
import type { MemoryLogHandlers } from './memory-log-handlers.js'
import type { MemoryMembershipHandlers } from './memory-membership-handlers.js'
import type { MemoryRemoteLog, MemoryRemoteLogServer } from './memory-remote-log.js'
import type { MemoryRemoteLogFaults } from './memory-remote-log-faults.js'
import type {
  MemoryRemoteDevice,
  MemoryRemoteLogServerState,
} from './memory-remote-log-server-state.js'

/** The server a device connects to, see {@link connectMemoryRemoteLogDevice}. */
export interface MemoryRemoteLogDeviceContext {
  /** The public server object, given out as `MemoryRemoteLog.server`. */
  server: MemoryRemoteLogServer
  state: MemoryRemoteLogServerState
  handlers: MemoryLogHandlers & MemoryMembershipHandlers & MemoryDeviceHandlers
  /** Every call of the device runs through it. */
  faults: MemoryRemoteLogFaults
}

/**
 * A new device of `userIdInput` on the server of `context`; the body of
 * `MemoryRemoteLogServer.connect`. Throws a TypeError on a malformed user id.
 */
export function connectMemoryRemoteLogDevice(
  context: MemoryRemoteLogDeviceContext,
  userIdInput: UserId | string,
): MemoryRemoteLog {
  const { server, state, handlers, faults } = context
  if (!isValidId(userIdInput)) throw new TypeError(`invalid user id ${JSON.stringify(userIdInput)}`)
  const userId = userIdInput as UserId
  const listeners = new Map<keyof RemoteLogEvents, Set<(payload: never) => void>>()
  let inboxStatus: RemoteLogInboxStatus = state.offline ? 'offline' : 'online'
  let closed = false
  const emit = <E extends keyof RemoteLogEvents>(event: E, payload: RemoteLogEvents[E]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        ;(listener as RemoteLogListener<E>)(payload)
      } catch (thrown) {
        // A listener bug must not break delivery to the others; surface it, never swallow it.
        queueMicrotask(() => {
          throw thrown
        })
      }
    }
  }
  const device: MemoryRemoteDevice = {
    userId,
    deliver: (event, payload) => {
      if (!closed) emit(event, payload)
    },
    setInboxStatus(status) {
      if (closed || inboxStatus === status) return
      inboxStatus = status
      emit('inbox-status', { status })
    },
  }
  state.devices.add(device)
  const guarded = <T>(operation: string, work: () => T): Promise<T> =>
    closed
      ? Promise.reject(
          new RemoteLogError('closed', `${operation}: the remote log is closed`, { operation }),
        )
      : faults.call(operation, work)
  const log: MemoryRemoteLog = {
    kind: 'memory',
    userId,
    server,
    get inboxStatus() {
      return inboxStatus
    },
    push: (id, entries) => guarded('push', () => handlers.push(userId, id, entries)),
    pull: (id, afterSeq, options) =>
      guarded('pull', () => handlers.pull(userId, id, afterSeq, options)),
    getSnapshot: (id, options) =>
      guarded('getSnapshot', () => handlers.getSnapshot(userId, id, options)),
    requestCompaction: (id) =>
      guarded('requestCompaction', () => handlers.requestCompaction(userId, id)),
    registerDevice: (device) =>
      guarded('registerDevice', () => handlers.registerDevice(userId, device)),
    conversationDevices: (id) =>
      guarded('conversationDevices', () => handlers.conversationDevices(userId, id)),
    members: (id) => guarded('members', () => handlers.members(userId, id)),
    listConversations: () => guarded('listConversations', () => handlers.listConversations(userId)),
    createConversation: (input) =>
      guarded('createConversation', () => handlers.createConversation(userId, input)),
    createInvite: (id, options) =>
      guarded('createInvite', () => handlers.createInvite(userId, id, options)),
    joinConversation: (code) =>
      guarded('joinConversation', () => handlers.joinConversation(userId, code)),
    leaveConversation: (id) =>
      guarded('leaveConversation', () => handlers.leaveConversation(userId, id)),
    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as (payload: never) => void)
      return () => {
        set.delete(listener as (payload: never) => void)
      }
    },
    close() {
      if (closed) return
      state.devices.delete(device)
      inboxStatus = 'closed'
      emit('inbox-status', { status: 'closed' })
      closed = true
      listeners.clear()
    },
  }
  return log
}
