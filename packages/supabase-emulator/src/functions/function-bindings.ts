// The globals an Edge Function sees besides Node's own web APIs: the part of `Deno` functions use
// (`serve`, `env`), `EdgeRuntime.waitUntil`, and a `WebSocket` (Node 20 has none; realtime-js
// needs one). Each booted function gets its own set; see bundle-function.ts for how they reach it.
import type { EmulatorLogger } from '../emulator-logger.js'

/** Second argument of a `Deno.serve` handler. */
export interface ServeHandlerInfo {
  remoteAddr: { transport: 'tcp'; hostname: string; port: number }
  /** Settles once the response has been sent (or the request failed). */
  completed: Promise<void>
}

/** What `Deno.serve` takes: a Web `Request` in, a `Response` out. */
export type ServeHandler = (
  request: Request,
  info: ServeHandlerInfo,
) => Response | Promise<Response>

/** The handler a function registered, with the `Deno.serve` options the emulator honours. */
export interface ServeRegistration {
  handler: ServeHandler
  /** `onError`: answers when the handler throws. Default: 500 `Internal Server Error`. */
  onError?: (error: unknown) => Response | Promise<Response>
}

/** `Deno.env`. */
export interface DenoEnv {
  get(key: string): string | undefined
  set(key: string, value: string): void
  delete(key: string): void
  has(key: string): boolean
  toObject(): Record<string, string>
}

/** What `Deno.serve` returns (`Deno.HttpServer`). */
export interface DenoHttpServer {
  readonly addr: { transport: 'tcp'; hostname: string; port: number }
  readonly finished: Promise<void>
  shutdown(): Promise<void>
  ref(): void
  unref(): void
}

/** The `Deno` namespace, as far as the emulator provides it. */
export interface DenoShim {
  serve(...args: unknown[]): DenoHttpServer
  env: DenoEnv
}

/** The bindings that replace free `Deno`, `EdgeRuntime` and `WebSocket` references in a bundle. */
export interface FunctionBindings {
  Deno: DenoShim
  EdgeRuntime: { waitUntil(promise: Promise<unknown>): void }
  WebSocket: unknown
}

/** Options of {@link createFunctionBindings}. */
export interface FunctionBindingsOptions {
  /** The function's name, for log lines. */
  name: string
  /** The initial `Deno.env` (copied). */
  env: Readonly<Record<string, string>>
  /** Where `Deno.serve` registrations go. */
  onServe(registration: ServeRegistration): void
  /** The `WebSocket` class (the global one when Node has it, else `ws`). */
  WebSocket: unknown
  /** The emulator's own address, reported as the server address. */
  addr: { hostname: string; port: number }
  logger: EmulatorLogger
}

/** Creates one function's bindings; {@link FunctionBindingsHandle.close} ends its servers. */
export function createFunctionBindings(options: FunctionBindingsOptions): FunctionBindingsHandle {
  const env = new Map(Object.entries(options.env))
  const finishers: (() => void)[] = []
  const addr = { transport: 'tcp' as const, ...options.addr }
  const serve = (...args: unknown[]): DenoHttpServer => {
    const registration = serveArguments(args)
    options.onServe(registration)
    let finish = (): void => undefined
    const finished = new Promise<void>((resolve) => (finish = resolve))
    finishers.push(finish)
    const listen = (args[0] as { onListen?: unknown } | undefined)?.onListen
    if (typeof listen === 'function') queueMicrotask(() => (listen as (a: unknown) => void)(addr))
    return {
      addr,
      finished,
      shutdown: async () => finish(),
      ref: () => undefined,
      unref: () => undefined,
    }
  }
  const bindings: FunctionBindings = {
    Deno: {
      serve,
      env: {
        get: (key) => env.get(key),
        set: (key, value) => void env.set(key, String(value)),
        delete: (key) => void env.delete(key),
        has: (key) => env.has(key),
        toObject: () => Object.fromEntries(env),
      },
    },
    EdgeRuntime: {
      waitUntil(promise) {
        Promise.resolve(promise).catch((error: unknown) =>
          options.logger.error(`functions: ${options.name}: a waitUntil task failed`, { error }),
        )
      },
    },
    WebSocket: options.WebSocket,
  }
  return { bindings, close: () => finishers.forEach((finish) => finish()) }
}

/** {@link FunctionBindings} and a way to resolve every `server.finished` (on shutdown). */
export interface FunctionBindingsHandle {
  bindings: FunctionBindings
  close(): void
}

/** `serve(handler)`, `serve(options, handler)` or `serve({ ...options, handler })`. */
function serveArguments(args: unknown[]): ServeRegistration {
  const [first, second] = args
  const options = (typeof first === 'object' && first !== null ? first : {}) as {
    handler?: unknown
    onError?: unknown
  }
  const handler = typeof first === 'function' ? first : (second ?? options.handler)
  if (typeof handler !== 'function') {
    throw new TypeError('Deno.serve: a handler function is required')
  }
  const onError = options.onError
  return {
    handler: handler as ServeHandler,
    ...(typeof onError === 'function' && {
      onError: onError as ServeRegistration['onError'] & object,
    }),
  }
}
