// ParleyHostApi implemented over the Engine: the object the worker exposes to tabs. The declared
// actions (`ENGINE_ACTIONS`) are forwarded to the engine by name; the subscriptions turn the
// engine's change events into pushes of plain state objects to each subscribed tab.
import {
  ENGINE_ACTIONS,
  type ConversationState,
  type Engine,
  type EngineActions,
} from '@parley/core'
import {
  HOST_API_VERSION,
  HostError,
  type HostEngineApi,
  type HostInfo,
  type HostListener,
  type HostMode,
  type ParleyHostApi,
} from './host-api.js'
import { forwardMethods, invokeMethod } from './router.js'

interface Subscription {
  tabId: string
  close: () => void
}

/** Options of {@link createEngineHostApi}. */
export interface EngineHostApiOptions {
  engine: Engine
  mode: HostMode
  engineId: string
  /** Messages pushed with each conversation state. Default 50. */
  pageSize?: number
  /** Receives listener failures (a tab that vanished mid-call). */
  onError?: (error: unknown) => void
  /** The signed-in user's display name, if known. */
  displayName?: string
  /** Whether the engine syncs with a server. */
  server?: boolean
  /** The join link for an invite code. */
  inviteUrl?: (code: string) => string
}

/** The calls that are about auth: the owner answers them, not a user's engine. */
type AuthCalls = 'setSession' | 'signOut' | 'authState' | 'subscribeAuth'

/** The API of one user's engine, plus what the host needs to manage it. */
export interface EngineHostApi extends Omit<ParleyHostApi, AuthCalls> {
  /** Drops every subscription (the engine is going away). */
  dispose(): void
}

/** Builds the tab-facing API over an open engine. */
export function createEngineHostApi(options: EngineHostApiOptions): EngineHostApi {
  const { engine, mode, engineId } = options
  const pageSize = options.pageSize ?? 50
  const onError = options.onError ?? (() => undefined)
  const subscriptions = new Map<string, Subscription>()
  const info: HostInfo = {
    version: HOST_API_VERSION,
    mode,
    engineId,
    user: engine.user,
    device: engine.device,
    server: options.server ?? false,
    ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
  }

  // A listener on the other side of a port returns a promise; a vanished tab must not make the
  // engine's event loop throw.
  const call = <T>(listener: HostListener<T>, value: T): void => {
    try {
      const result = listener(value) as unknown
      if (result instanceof Promise) result.catch(onError)
    } catch (error) {
      onError(error)
    }
  }

  const add = (tabId: string, close: () => void): string => {
    const id = globalThis.crypto.randomUUID()
    subscriptions.set(id, { tabId, close })
    return id
  }

  // The engine implements every declared call; this line fails to compile when it does not.
  const actions: EngineActions = engine
  // Subscriptions are overridden below; a call reaches the engine method of the same name.
  const forwarded = forwardMethods<HostEngineApi>(ENGINE_ACTIONS, (method, args) =>
    invokeMethod(actions, method, args),
  )

  return {
    ...forwarded,
    async init(config) {
      if (config.user !== engine.user) {
        throw new HostError(
          'user-mismatch',
          `this browser's engine serves user ${engine.user}, not ${config.user}`,
        )
      }
      return info
    },
    async createInvite(conversationId) {
      const invite = await engine.createInvite(conversationId)
      const url = options.inviteUrl?.(invite.code) ?? invite.url
      return { code: invite.code, ...(url !== undefined ? { url } : {}) }
    },
    setNetwork: async (online) => engine.setNetwork(online),

    async subscribeConversation(tabId, conversationId, listener) {
      const release = await engine.retain(conversationId)
      let pushed = 0
      const push = (): void => {
        const seq = ++pushed
        engine.conversationState(conversationId).then((s) => {
          // A slower earlier state must not overwrite a newer one.
          if (seq === pushed) call(listener, { ...s, page: trim(s, pageSize) })
        }, onError)
      }
      const off = engine.on('conversation-changed', ({ conversationId: changed }) => {
        if (changed === conversationId) push()
      })
      push()
      return add(tabId, () => {
        off()
        release()
      })
    },

    async subscribeConversations(tabId, listener) {
      let pushed = 0
      const push = (): void => {
        const seq = ++pushed
        engine.listConversations().then((list) => {
          if (seq === pushed) call(listener, list)
        }, onError)
      }
      const off = engine.on('index-changed', push)
      push()
      return add(tabId, off)
    },

    async subscribeSyncStatus(tabId, listener) {
      const off = engine.on('sync-status', ({ status }) => call(listener, status))
      call(listener, engine.syncStatus())
      return add(tabId, off)
    },

    async subscribeRejected(tabId, listener) {
      return add(
        tabId,
        engine.on('rejected', (event) => call(listener, event)),
      )
    },

    async unsubscribe(subscriptionId) {
      subscriptions.get(subscriptionId)?.close()
      subscriptions.delete(subscriptionId)
    },

    async goodbye(tabId) {
      for (const [id, sub] of subscriptions) {
        if (sub.tabId !== tabId) continue
        sub.close()
        subscriptions.delete(id)
      }
    },

    dispose() {
      for (const sub of subscriptions.values()) sub.close()
      subscriptions.clear()
    },
  }
}

function trim(state: ConversationState, pageSize: number): ConversationState['page'] {
  const { page } = state
  if (page.messages.length <= pageSize) return page
  return { ...page, messages: page.messages.slice(-pageSize), hasBefore: true }
}
