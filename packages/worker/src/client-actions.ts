// The engine's declared actions (`ENGINE_ACTIONS` in `@parley/core`) as a tab's methods: a base
// class whose prototype has one method per declared name, each forwarding through a port.
// `ParleyClient` extends it over comlink; a test double extends it with a port that refuses.
import {
  ENGINE_ACTIONS,
  type CallSpec,
  type EngineActionTable,
  type SubscriptionSpec,
} from '@parley/core'
import { isDeclaredMethod } from './router.js'

/** Unsubscribes a live subscription. */
export type Unsubscribe = () => void

/** One declared action as a tab calls it. */
export type ClientMethod<Spec> =
  Spec extends CallSpec<infer F>
    ? (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>
    : Spec extends SubscriptionSpec<infer Args, infer Value>
      ? (...args: [...Args, listener: (value: Value) => void]) => Unsubscribe
      : never

/**
 * The engine's declared actions as a tab calls them: every call answers with a promise; a
 * subscription takes its listener last, calls it now and after every change, and returns the
 * function that ends it.
 */
export type ClientEngineApi = { [K in keyof EngineActionTable]: ClientMethod<EngineActionTable[K]> }

/** Where the forwarded methods go. */
export interface ClientActionPort {
  /** Runs a declared call. */
  call(method: keyof EngineActionTable, args: unknown[]): Promise<unknown>
  /** Starts a declared subscription; `listener` receives each pushed value. */
  subscribe(
    method: keyof EngineActionTable,
    args: unknown[],
    listener: (value: unknown) => void,
  ): Unsubscribe
}

const ports = new WeakMap<object, ClientActionPort>()

const isListener = (value: unknown): value is (value: unknown) => void =>
  typeof value === 'function'

function portOf(client: object): ClientActionPort {
  const port = ports.get(client)
  if (port === undefined) throw new TypeError('ClientEngineActions: no port (constructor not run)')
  return port
}

class ActionForwarder {
  constructor(port: ClientActionPort) {
    ports.set(this, port)
  }

  static {
    for (const name of Object.keys(ENGINE_ACTIONS)) {
      if (!isDeclaredMethod(ENGINE_ACTIONS, name)) continue
      const forward =
        ENGINE_ACTIONS[name].kind === 'call'
          ? function (this: ActionForwarder, ...args: unknown[]) {
              return portOf(this).call(name, args)
            }
          : function (this: ActionForwarder, ...args: unknown[]) {
              const listener = args.at(-1)
              if (!isListener(listener)) throw new TypeError(`${name} needs a listener`)
              return portOf(this).subscribe(name, args.slice(0, -1), listener)
            }
      Object.defineProperty(this.prototype, name, {
        value: forward,
        writable: true,
        configurable: true,
      })
    }
  }
}

/**
 * Base class of a tab's client: one method per declared action (on the prototype, so a subclass
 * may override one, as `ParleyClient.send` does to choose the message id).
 */
export const ClientEngineActions =
  // The static block defines every declared name on the prototype; TypeScript cannot see that.
  ActionForwarder as new (port: ClientActionPort) => ClientEngineApi
