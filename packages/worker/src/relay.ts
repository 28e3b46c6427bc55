// Dedicated-worker mode: one worker per tab, one of them the leader (it holds the engine Web Lock
// and the engine). Followers reach the leader's engine through this relay over BroadcastChannel.
//
// No lost write on handover: a call stays pending until a leader answers it; when a new leader
// announces itself, every unanswered call is sent again (the host API is idempotent for retries,
// see ParleyHostApi), and live subscriptions are made again with the new leader.
import { RemoteError } from './error-transfer.js'
import { HOST_API_METHODS, HostError, type HostListener, type ParleyHostApi } from './host-api.js'
import {
  RELAY_PROTOCOL_VERSION as V,
  parseRelayMessage,
  toRelayError,
  type RelayMessage,
} from './relay-messages.js'
import { createRouter, forwardMethods, invokeMethod, isDeclaredMethod } from './router.js'

/** A declared method of the host API. */
type HostMethodName = keyof ParleyHostApi & string

const isSubscription = (method: HostMethodName): boolean =>
  HOST_API_METHODS[method].kind === 'subscribe'

const isListener = (value: unknown): value is HostListener<unknown> => typeof value === 'function'

interface PendingCall {
  method: HostMethodName
  args: unknown[]
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  /** Engine the call was last sent to (undefined: not sent yet). */
  sentTo: string | undefined
}

interface RelaySubscription {
  method: HostMethodName
  /** Arguments with the listener replaced by its key. */
  args: unknown[]
  listener: HostListener<unknown>
  /** Subscription id at the current leader. */
  remoteId: Promise<string> | undefined
}

/** The follower side: a ParleyHostApi whose calls run on the leader. */
export interface RelayClient {
  api: ParleyHostApi
  /** Runs pending calls and subscriptions on a local api (this worker became the leader). */
  promote(local: ParleyHostApi, engineId: string): void
  close(): void
}

/** The leader side: answers followers' calls with the local api. */
export interface RelayServer {
  close(): void
}

/** Creates the follower side on channel `name`. */
export function createRelayClient(name: string, workerId: string): RelayClient {
  const channel = new BroadcastChannel(name)
  const pending = new Map<string, PendingCall>()
  const subscriptions = new Map<string, RelaySubscription>()
  let leader: string | undefined
  let local: ParleyHostApi | undefined

  let closed = false
  const post = (message: RelayMessage): void => {
    if (!closed) channel.postMessage(message)
  }

  const sendCall = (id: string, call: PendingCall): void => {
    if (local !== undefined) {
      runLocal(local, call.method, call.args).then(call.resolve, call.reject)
      pending.delete(id)
      return
    }
    if (leader === undefined) return
    call.sentTo = leader
    post({ v: V, type: 'call', id, from: workerId, method: call.method, args: call.args })
  }

  const runLocal = (
    api: ParleyHostApi,
    method: HostMethodName,
    args: unknown[],
  ): Promise<unknown> => {
    if (isSubscription(method)) {
      // The last argument is the subscription's key here; the local api takes its listener.
      const sub = subscriptions.get(String(args.at(-1)))
      args = [...args.slice(0, -1), sub?.listener ?? (() => undefined)]
    }
    return invokeMethod(api, method, args)
  }

  const call = (method: HostMethodName, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = globalThis.crypto.randomUUID()
      const entry: PendingCall = { method, args, resolve, reject, sentTo: undefined }
      pending.set(id, entry)
      sendCall(id, entry)
    })

  const resubscribe = (): void => {
    for (const sub of subscriptions.values()) {
      sub.remoteId = call(sub.method, sub.args) as Promise<string>
      sub.remoteId.catch(() => undefined)
    }
  }

  channel.onmessage = (event: MessageEvent) => {
    const message = parseRelayMessage(event.data)
    if (message === undefined || local !== undefined) return
    switch (message.type) {
      case 'leader': {
        if (message.engineId === leader) return
        leader = message.engineId
        for (const [id, entry] of pending) if (entry.sentTo !== leader) sendCall(id, entry)
        // Subscriptions at the previous leader died with it.
        resubscribe()
        return
      }
      case 'result': {
        if (message.to !== workerId) return
        const entry = pending.get(message.id)
        if (entry === undefined) return
        pending.delete(message.id)
        if (message.ok) entry.resolve(message.value)
        else {
          const e = message.error ?? { name: 'Error', message: 'unknown relay error' }
          entry.reject(new RemoteError(e.name, e.message, e.code))
        }
        return
      }
      case 'event': {
        if (message.to !== workerId) return
        subscriptions.get(message.listener)?.listener(message.value)
        return
      }
      default:
        return
    }
  }
  post({ v: V, type: 'who-leads' })

  const subscribe = (
    method: HostMethodName,
    args: unknown[],
    listener: HostListener<unknown>,
  ): Promise<string> => {
    const key = globalThis.crypto.randomUUID()
    const sub: RelaySubscription = { method, args: [...args, key], listener, remoteId: undefined }
    subscriptions.set(key, sub)
    sub.remoteId = call(method, sub.args) as Promise<string>
    return sub.remoteId.then(() => key)
  }

  const unsubscribe = async (key: unknown): Promise<void> => {
    if (typeof key !== 'string') return
    const sub = subscriptions.get(key)
    subscriptions.delete(key)
    const remoteId = await sub?.remoteId?.catch(() => undefined)
    if (remoteId !== undefined) await call('unsubscribe', [remoteId])
  }

  const api = forwardMethods<ParleyHostApi>(HOST_API_METHODS, async (method, args) => {
    if (method === 'unsubscribe') return unsubscribe(args[0])
    if (!isSubscription(method)) return call(method, args)
    const listener = args.at(-1)
    if (!isListener(listener)) throw new TypeError(`${method} needs a listener`)
    return subscribe(method, args.slice(0, -1), listener)
  })

  return {
    api,
    promote(api, engineId) {
      local = api
      leader = engineId
      for (const [id, entry] of pending) sendCall(id, entry)
      for (const sub of subscriptions.values()) {
        sub.remoteId = runLocal(api, sub.method, sub.args) as Promise<string>
        sub.remoteId.catch(() => undefined)
      }
    },
    close() {
      closed = true
      channel.close()
      // Nobody will answer them now; say so rather than leave promises hanging forever.
      for (const entry of pending.values()) {
        entry.reject(new HostError('no-leader', 'the relay closed before a leader answered'))
      }
      pending.clear()
      subscriptions.clear()
    },
  }
}

/** Creates the leader side on channel `name`, answering with `api` as engine `engineId`. */
export function createRelayServer(name: string, engineId: string, api: ParleyHostApi): RelayServer {
  const channel = new BroadcastChannel(name)
  const router = createRouter<ParleyHostApi>({
    methods: HOST_API_METHODS,
    target: () => api,
    missing: () => new HostError('not-initialized', 'the leader has no host API'),
  })
  let closed = false
  // An answer that completes after the leader closed has nowhere to go (its tab is gone).
  const post = (message: RelayMessage): void => {
    if (!closed) channel.postMessage(message)
  }
  channel.onmessage = (event: MessageEvent) => {
    const message = parseRelayMessage(event.data)
    if (message === undefined) return
    if (message.type === 'who-leads') {
      post({ v: V, type: 'leader', engineId })
      return
    }
    if (message.type !== 'call') return
    let args = message.args
    const method = message.method
    if (isDeclaredMethod(HOST_API_METHODS, method) && isSubscription(method)) {
      const key = args.at(-1)
      if (typeof key !== 'string') return
      const to = message.from
      args = [
        ...args.slice(0, -1),
        (value: unknown) => post({ v: V, type: 'event', to, listener: key, value }),
      ]
    }
    // Undeclared names are refused by the router, and the follower hears why.
    const run = router.call(method, args)
    run.then(
      (value) =>
        post({ v: V, type: 'result', id: message.id, to: message.from, engineId, ok: true, value }),
      (error: unknown) =>
        post({
          v: V,
          type: 'result',
          id: message.id,
          to: message.from,
          engineId,
          ok: false,
          error: toRelayError(error),
        }),
    )
  }
  post({ v: V, type: 'leader', engineId })
  return {
    close() {
      closed = true
      channel.close()
    },
  }
}
