// `/functions/v1/<name>[/…]`: Supabase's Edge Functions for the real supabase-js
// (`functions.invoke`). It does what the CLI's gateway and the edge runtime's main worker do
// (SUPABASE-PROTOCOL-2.md §2.3): find the function (404 `Function not found`), check the JWT
// unless `verify_jwt = false` (401 `{"msg":…}`), boot the function on first use (503
// BOOT_ERROR when it cannot), and hand it a Web `Request` whose path starts with `/<name>`.
// A function whose own files changed boots again on its next request, as `supabase functions
// serve` reloads.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket as WsWebSocket } from 'ws'
import type { ApiKeys } from '../auth/api-keys.js'
import { verifyJwt } from '../auth/jwt.js'
import type { EmulatorLogger } from '../emulator-logger.js'
import { header, type EmulatorRequest, type RouteHandler } from '../http/emulator-request.js'
import { isHttpError } from '../http/http-error.js'
import { sendJson, sendText } from '../http/send.js'
import type { EdgeFunctionsOptions } from './edge-functions-options.js'
import type { ServeHandlerInfo } from './function-bindings.js'
import { isFunctionBootError } from './function-boot-error.js'
import { functionEnv, isReservedEnvName } from './function-env.js'
import { findImportMap } from './import-map.js'
import { loadFunction, type LoadedFunction } from './load-function.js'
import { parseDotenv } from './parse-dotenv.js'
import { requestHeaders, sendWebResponse, toWebRequest } from './web-bridge.js'

/** Options of {@link createFunctionsHandler}. */
export interface FunctionsHandlerOptions extends EdgeFunctionsOptions {
  keys: ApiKeys
  jwtSecret: string
  /** The emulator's URL: `SUPABASE_URL` and the origin of the requests functions see. */
  apiUrl: string
  /** `SUPABASE_DB_URL`, when the database is reachable over TCP. */
  dbUrl?: string | undefined
  logger: EmulatorLogger
  /** Extra export conditions for bundling (`['source']` inside the Parley monorepo). */
  conditions?: readonly string[]
  /**
   * Folders searched for bare imports that do not resolve from the function's folder. Default:
   * the `node_modules` folders above this package (an app's own, when it installed the emulator).
   */
  nodePaths?: readonly string[]
  /** Clock for JWT expiry, in ms. Default `Date.now`. */
  now?: () => number
}

/** The Edge Functions service. */
export interface FunctionsHandler {
  /** Routes a request below `/functions/v1`. */
  handle: RouteHandler
  /** Ends every booted function's `Deno.serve(...).finished` and removes scratch files. Idempotent. */
  close(): Promise<void>
}

/** A function's name as the CLI accepts it (and never `_shared` or a dot-folder). */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/

/** How often (at most) a booted function's files are checked for changes. */
const CHANGE_CHECK_MS = 500

/** The edge runtime's bodies (SUPABASE-PROTOCOL-2.md §2.3). */
const BOOT_ERROR = { code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' }
const WORKER_ERROR = {
  code: 'WORKER_ERROR',
  message: 'Function exited due to an error (please check logs)',
}

interface FunctionSpec {
  name: string
  entrypoint: string
  importMapFile: string | undefined
  verifyJwt: boolean
}

interface Worker {
  key: string
  booting: Promise<LoadedFunction>
  checkedAt: number
}

/** Creates the service; functions boot lazily, on their first request. */
export function createFunctionsHandler(options: FunctionsHandlerOptions): FunctionsHandler {
  const { logger } = options
  const dir = resolve(options.dir)
  const now = options.now ?? Date.now
  const api = new URL(options.apiUrl)
  const nodePaths = options.nodePaths ?? packageNodePaths()
  const workers = new Map<string, Worker>()
  const booted = new Set<LoadedFunction>()
  let workDir: Promise<string> | undefined
  let closed = false

  async function find(name: string): Promise<FunctionSpec | undefined> {
    if (!FUNCTION_NAME.test(name)) return undefined
    const config = Object.hasOwn(options.functions ?? {}, name)
      ? options.functions?.[name]
      : undefined
    if (config?.enabled === false) return undefined
    const entrypoint = config?.entrypoint ?? join(dir, name, 'index.ts')
    if (!(await stat(entrypoint).catch(() => undefined))?.isFile()) return undefined
    return {
      name,
      entrypoint,
      importMapFile: await findImportMap(dirname(entrypoint), dir, config?.importMap),
      verifyJwt: options.verifyJwt === false ? false : (config?.verifyJwt ?? true),
    }
  }

  async function secrets(): Promise<Record<string, string>> {
    const file = options.envFile === undefined ? join(dir, '.env') : options.envFile
    const fromFile =
      file === false
        ? {}
        : parseDotenv(
            await readFile(file, 'utf8').catch((error: unknown) => {
              if ((error as { code?: unknown }).code === 'ENOENT') return ''
              throw error
            }),
          )
    const all = { ...fromFile, ...options.env }
    const reserved = Object.keys(all).filter(isReservedEnvName)
    if (reserved.length > 0) {
      logger.warn(`functions: skipping secrets named SUPABASE_* (reserved): ${reserved.join(', ')}`)
    }
    return all
  }

  /** The booted function for `spec`, booting it (again) when new or changed. */
  async function worker(spec: FunctionSpec): Promise<LoadedFunction> {
    const key = `${spec.entrypoint}\0${spec.importMapFile ?? ''}`
    const current = workers.get(spec.name)
    if (current?.key === key) {
      const loaded = await current.booting
      if (now() - current.checkedAt < CHANGE_CHECK_MS || !(await changed(loaded))) {
        current.checkedAt = now()
        return loaded
      }
      if (workers.get(spec.name) !== current) return worker(spec) // another request rebooted it
      logger.info(`functions: ${spec.name} changed, booting it again`)
    }
    const next: Worker = { key, booting: boot(spec), checkedAt: now() }
    workers.set(spec.name, next)
    next.booting.then(
      (loaded) => {
        // The boot this one replaces: retire it once settled (a failed one was already reported).
        if (current) void current.booting.then(retire, () => false)
        if (closed) retire(loaded)
        else booted.add(loaded)
      },
      () => {
        if (workers.get(spec.name) === next) workers.delete(spec.name) // retry on the next request
      },
    )
    return next.booting
  }

  function retire(loaded: LoadedFunction): void {
    booted.delete(loaded)
    loaded.close()
  }

  async function boot(spec: FunctionSpec): Promise<LoadedFunction> {
    const started = performance.now()
    workDir ??= mkdtemp(join(tmpdir(), 'parley-functions-'))
    const loaded = await loadFunction({
      name: spec.name,
      entrypoint: spec.entrypoint,
      importMapFile: spec.importMapFile,
      workDir: await workDir,
      env: functionEnv({
        apiUrl: options.apiUrl,
        keys: options.keys,
        jwtSecret: options.jwtSecret,
        dbUrl: options.dbUrl,
        secrets: await secrets(),
      }),
      conditions: options.conditions ?? [],
      nodePaths,
      WebSocket: (globalThis as { WebSocket?: unknown }).WebSocket ?? WsWebSocket,
      addr: { hostname: api.hostname, port: Number(api.port) },
      logger,
    })
    logger.info(`functions: booted ${spec.name} in ${(performance.now() - started).toFixed(0)} ms`)
    return loaded
  }

  async function handle(request: EmulatorRequest): Promise<void> {
    const { req, res } = request
    const [, name = '', ...rest] = request.path.split('/')
    const spec = closed ? undefined : await find(name)
    if (spec === undefined) return sendText(res, 404, 'Function not found', 'text/plain')

    // The CLI's gateway (Kong) puts the JWT of an `sb_…` key into Authorization; the runtime
    // then checks it unless verify_jwt is off. Preflights never get here (the gateway answers).
    const authorization = gatewayAuthorization(request, options.keys)
    if (spec.verifyJwt && req.method !== 'OPTIONS') {
      const refusal = checkJwt(authorization, options.jwtSecret, now())
      if (refusal !== undefined) return sendJson(res, 401, { msg: refusal })
    }

    let loaded: LoadedFunction
    try {
      loaded = await worker(spec)
    } catch (error) {
      if (!isFunctionBootError(error)) throw error
      logger.error(`functions: ${spec.name} failed to boot: ${error.message}`, {
        cause: error.cause,
      })
      return sendJson(res, 503, BOOT_ERROR)
    }

    let body: Buffer
    try {
      body = await request.body()
    } catch (error) {
      if (!isHttpError(error)) throw error
      return sendJson(res, error.status, { msg: error.message })
    }
    const aborted = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort()
    })
    const search = request.url.search
    const url = new URL(`/${[name, ...rest].join('/')}${search}`, api).href
    const headers = requestHeaders(req, authorization ? { authorization } : {})
    const webRequest = toWebRequest(req, url, headers, body, aborted.signal)
    let complete = (): void => undefined
    const info: ServeHandlerInfo = {
      remoteAddr: {
        transport: 'tcp',
        hostname: req.socket.remoteAddress ?? '127.0.0.1',
        port: req.socket.remotePort ?? 0,
      },
      completed: new Promise<void>((resolve) => (complete = resolve)),
    }
    try {
      let response: unknown
      try {
        response = await loaded.registration.handler(webRequest, info)
      } catch (error) {
        logger.error(`functions: ${spec.name}: the handler threw`, { error })
        response = loaded.registration.onError
          ? await loaded.registration.onError(error)
          : new Response('Internal Server Error', {
              status: 500,
              headers: { 'content-type': 'text/plain;charset=UTF-8' },
            })
      }
      if (!(response instanceof Response)) {
        logger.error(`functions: ${spec.name}: the handler did not return a Response`, {
          returned: typeof response,
        })
        return sendJson(res, 500, WORKER_ERROR)
      }
      await sendWebResponse(req, res, response)
    } finally {
      complete()
    }
  }

  return {
    handle,
    async close() {
      if (closed) return
      closed = true
      for (const loaded of booted) retire(loaded)
      workers.clear()
      const scratch = await workDir?.catch(() => undefined)
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
    },
  }
}

/**
 * The Authorization the function gets, rewritten as the CLI's Kong does: kept unless missing or
 * `Bearer sb_…`; else the service_role/anon JWT for the secret/publishable `apikey`; else the
 * raw `apikey`.
 */
function gatewayAuthorization(request: EmulatorRequest, keys: ApiKeys): string | undefined {
  const authorization = header(request.req, 'authorization')
  if (authorization !== undefined && !authorization.startsWith('Bearer sb_')) return authorization
  const apiKey = header(request.req, 'apikey')
  if (apiKey === keys.secretKey) return `Bearer ${keys.serviceRoleKey}`
  if (apiKey === keys.publishableKey) return `Bearer ${keys.anonKey}`
  return apiKey
}

/** The runtime's `verify_jwt` check; returns the refusal's `msg`, or undefined to let it pass. */
function checkJwt(
  authorization: string | undefined,
  secret: string,
  nowMs: number,
): string | undefined {
  if (authorization === undefined) return 'Error: Missing authorization header'
  const [scheme, token] = authorization.split(' ')
  if (scheme !== 'Bearer' || !token) return "Error: Auth header is not 'Bearer {token}'"
  try {
    verifyJwt(token, secret, nowMs / 1000)
    return undefined
  } catch {
    return 'Invalid JWT'
  }
}

/** `node_modules` folders from this package upwards: where an app installed the emulator. */
function packageNodePaths(): string[] {
  const paths: string[] = []
  let current = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (!current.endsWith('node_modules')) paths.push(join(current, 'node_modules'))
    const parent = dirname(current)
    if (parent === current) return paths
    current = parent
  }
}

/** Whether a booted function's sources changed since it booted. */
async function changed(loaded: LoadedFunction): Promise<boolean> {
  const stats = await Promise.all(loaded.sources.map((file) => stat(file).catch(() => undefined)))
  return stats.some((s) => s === undefined || s.mtimeMs > loaded.bootedAt)
}
