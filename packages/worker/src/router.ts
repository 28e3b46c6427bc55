// The one way a call travels inside the worker: from a typed API, by method name, to a target
// (the owner, a user's engine API, the relay to the leader). Every method name is checked
// against a declared table (`ENGINE_ACTIONS` plus the host's own calls), so nothing but the
// declared API is reachable from a tab or the relay channel, and nothing is listed twice.
import type { ActionKind } from '@parley/core'
import { HostError } from './host-api.js'

/** The declared methods of `Api`: each name with how it is reached (`subscribe`: last argument is a listener). */
export type MethodTable<Api> = { readonly [K in keyof Api]-?: { readonly kind: ActionKind } }

/** Whether `name` is one of the declared methods of `methods` (own names only, never `toString`…). */
export function isDeclaredMethod<Api>(
  methods: MethodTable<Api>,
  name: string,
): name is keyof Api & string {
  return Object.hasOwn(methods, name)
}

/**
 * Builds `Api` with one function per declared method, each calling `dispatch(name, args)`. The
 * functions are own, enumerable properties, so `{ ...forwarded, ...overrides }` replaces some.
 */
export function forwardMethods<Api extends object>(
  methods: MethodTable<Api>,
  dispatch: (method: keyof Api & string, args: unknown[]) => Promise<unknown>,
): Api {
  // Filled below with every declared name; a loop over a mapped type is beyond TypeScript.
  const api = {} as Api
  for (const name of Object.keys(methods)) {
    if (isDeclaredMethod(methods, name)) {
      Object.assign(api, { [name]: (...args: unknown[]) => dispatch(name, args) })
    }
  }
  return api
}

/**
 * Calls `target[method](...args)`. The name must already be checked against a table: this only
 * refuses a target that lacks it.
 */
export async function invokeMethod(
  target: object,
  method: string,
  args: readonly unknown[],
): Promise<unknown> {
  const fn: unknown = Reflect.get(target, method)
  if (typeof fn !== 'function') throw unknownMethod(method)
  return Reflect.apply(fn, target, args) as unknown
}

/** Options of {@link createRouter}. */
export interface RouterOptions<Api> {
  /** The declared methods; any other name is refused with `HostError` `unknown-method`. */
  methods: MethodTable<Api>
  /** Where calls go now; `undefined` while there is none (they are refused with `missing()`). */
  target: () => Api | undefined
  /** The error of a call made while there is no target (`not-initialized`, `not-signed-in`). */
  missing: () => HostError
}

/** A typed API over a target that may change, and a by-name entry for calls that arrive as data. */
export interface Router<Api> {
  /** Every declared method, forwarded to the current target. */
  readonly api: Api
  /** Runs a method named in a message; refuses undeclared names (`unknown-method`). */
  call(method: string, args: readonly unknown[]): Promise<unknown>
}

/** Routes the declared methods of `Api` to `options.target()`, looked up at each call. */
export function createRouter<Api extends object>(options: RouterOptions<Api>): Router<Api> {
  const { methods, target, missing } = options
  const run = async (method: string, args: readonly unknown[]): Promise<unknown> => {
    if (!isDeclaredMethod(methods, method)) throw unknownMethod(method)
    const current = target()
    if (current === undefined) throw missing()
    return invokeMethod(current, method, args)
  }
  return { api: forwardMethods(methods, run), call: run }
}

function unknownMethod(method: string): HostError {
  return new HostError('unknown-method', `unknown method ${JSON.stringify(method.slice(0, 100))}`)
}
