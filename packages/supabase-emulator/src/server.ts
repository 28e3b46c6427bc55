// The emulator's single HTTP server, standing in for Supabase's gateway: it checks the API key,
// routes `/auth/v1`, `/rest/v1`, `/realtime/v1` and `/functions/v1` to their services (and
// `/mailpit` to the mail catcher), answers CORS preflights, and hands WebSocket upgrades to Realtime. No request can crash the process: every failure is
// answered (500 at worst) and reported to the logger.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ApiKeys } from './auth/api-keys.js'
import { readRequestCredentials } from './auth/request-credentials.js'
import { verifyJwt } from './auth/jwt.js'
import type { EmulatorLogger } from './emulator-logger.js'
import { answerPreflight, applyCors } from './http/cors.js'
import type { EmulatorRequest, RouteHandler } from './http/emulator-request.js'
import { isHttpError } from './http/http-error.js'
import { readBody } from './http/read-body.js'
import { sendEmpty, sendJson, sendText } from './http/send.js'
import type { RealtimeServer } from './realtime/realtime-server.js'

/** The Realtime surface the HTTP server routes to. */
export type RealtimeEndpoint = Pick<
  RealtimeServer,
  'handleUpgrade' | 'broadcast' | 'broadcastEvent'
> &
  Partial<Pick<RealtimeServer, 'stats'>>

/** Options of {@link createEmulatorServer}. */
export interface EmulatorServerOptions {
  keys: ApiKeys
  jwtSecret: string
  auth: RouteHandler
  rest: RouteHandler
  realtime?: RealtimeEndpoint
  /** The Mailpit-compatible mail API, served below `/mailpit` without an API key. */
  mail?: RouteHandler
  /**
   * Edge Functions below `/functions/v1`. As in the CLI's gateway no API key is required there
   * (the function's own `verify_jwt` check applies). Without it every function is a 404.
   */
  functions?: RouteHandler
  logger: EmulatorLogger
  /** Largest request body accepted; bigger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number
}

/** Default {@link EmulatorServerOptions.maxBodyBytes}: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

const WEBSOCKET_PATH = '/realtime/v1/websocket'

/**
 * Creates the HTTP server (not listening), or attaches the routes to `server` when given (so a
 * caller can bind the port before the database is ready and fail fast when it is taken).
 */
export function createEmulatorServer(
  options: EmulatorServerOptions,
  server: Server = createServer(),
): Server {
  const { logger } = options
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('http: unhandled failure', { error, method: req.method, url: req.url })
      if (!res.headersSent) sendJson(res, 500, { message: 'Unexpected failure in the emulator' })
      else res.destroy()
    })
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => logger.debug('http: upgrade socket error', { error }))
    const path = (req.url ?? '/').split('?')[0]
    if (path === WEBSOCKET_PATH && options.realtime) {
      try {
        options.realtime.handleUpgrade(req, socket, head)
      } catch (error) {
        logger.error('realtime: upgrade failed', { error })
        socket.destroy()
      }
      return
    }
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  })
  server.on('clientError', (error, socket) => {
    logger.debug('http: client error', { error })
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', (error) => logger.debug('http: request stream error', { error }))
    const started = performance.now()
    res.on('finish', () => {
      const ms = (performance.now() - started).toFixed(1)
      logger.debug(`http: ${req.method} ${req.url?.split('?')[0]} → ${res.statusCode} (${ms} ms)`)
    })
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return sendJson(res, 400, { message: 'Invalid request URL' })
    }
    const path = url.pathname
    // Preflights are the gateway's (Kong's cors plugin); a plain OPTIONS to a function reaches it.
    if (req.method === 'OPTIONS' && (!isFunctionsPath(path) || isPreflight(req))) {
      return answerPreflight(req, res)
    }
    applyCors(req, res)
    if (path === '/' || path === '/health') {
      return sendJson(res, 200, { status: 'ok', name: 'parley-supabase-emulator' })
    }
    const service = routeOf(path)
    if (service === undefined) {
      return sendJson(res, 404, { message: 'no Route matched with those values' })
    }
    if (!service.open && !checkApiKey(req, res, url)) return
    let body: Promise<Buffer> | undefined
    const request: EmulatorRequest = {
      req,
      res,
      url,
      path: service.path,
      body: () =>
        (body ??= readBody(req, maxBodyBytes).catch((error: unknown) => {
          // The rest of an oversize upload is not worth reading: close after answering.
          if (isHttpError(error)) res.setHeader('connection', 'close')
          throw error
        })),
    }
    if (service.name === 'auth') return options.auth(request)
    if (service.name === 'rest') return options.rest(request)
    if (service.name === 'mail') {
      if (options.mail) return options.mail(request)
      return sendJson(res, 404, { message: 'no Route matched with those values' })
    }
    if (service.name === 'functions') {
      if (options.functions) return options.functions(request)
      return sendText(res, 404, 'Function not found', 'text/plain')
    }
    return realtimeRest(request)
  }

  /** The gateway's key check: a request must carry an API key this project issued. */
  function checkApiKey(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const { apiKey } = readRequestCredentials(req, url, options.keys)
    if (apiKey === undefined) {
      sendJson(res, 401, {
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      })
      return false
    }
    try {
      verifyJwt(apiKey, options.jwtSecret)
      return true
    } catch {
      sendJson(res, 401, {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      })
      return false
    }
  }

  async function realtimeRest(request: EmulatorRequest): Promise<void> {
    const { req, res, path } = request
    const realtime = options.realtime
    // Emulator-only diagnostics (not in Supabase): open sockets and rooms, for tests that prove
    // a browser holds one socket however many tabs it has.
    if (realtime && req.method === 'GET' && path === '/api/stats' && realtime.stats) {
      return sendJson(res, 200, realtime.stats())
    }
    if (!realtime || req.method !== 'POST') {
      return sendJson(res, 404, { message: 'no Route matched with those values' })
    }
    const { token } = readRequestCredentials(req, request.url, options.keys)
    let raw: Buffer
    try {
      raw = await request.body()
    } catch (error) {
      if (!isHttpError(error)) throw error
      return sendJson(res, error.status, { message: error.message })
    }
    let answer
    if (path === '/api/broadcast') {
      let body: unknown
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        return sendJson(res, 400, { message: 'Invalid JSON body' })
      }
      answer = await realtime.broadcast(body, token)
    } else {
      const match = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path)
      if (!match?.[1] || !match[2]) {
        return sendJson(res, 404, { message: 'no Route matched with those values' })
      }
      let topic: string
      let event: string
      try {
        topic = decodeURIComponent(match[1])
        event = decodeURIComponent(match[2])
      } catch {
        return sendJson(res, 400, { message: 'Invalid percent-encoding in path' })
      }
      const contentType = req.headers['content-type']
      answer = await realtime.broadcastEvent(
        {
          topic,
          event,
          private: request.url.searchParams.get('private') === 'true',
          contentType,
          body: raw,
        },
        token,
      )
    }
    if (answer.body === null || answer.body === undefined) return sendEmpty(res, answer.status)
    return sendJson(res, answer.status, answer.body)
  }

  return server
}

interface Route {
  name: 'auth' | 'rest' | 'realtime' | 'mail' | 'functions'
  /** The path below the service prefix. */
  path: string
  /** Reachable without an API key (public metadata). */
  open: boolean
}

// Auth paths the gateway lets through without a key: public metadata, and `/verify`, which a
// browser reaches from a link in a mail (the CLI's Kong route `auth-v1-open`).
const OPEN_AUTH_PATHS: ReadonlySet<string> = new Set([
  '/health',
  '/.well-known/jwks.json',
  '/verify',
])

function routeOf(path: string): Route | undefined {
  for (const [prefix, name] of [
    ['/auth/v1', 'auth'],
    ['/rest/v1', 'rest'],
    ['/realtime/v1', 'realtime'],
    ['/mailpit', 'mail'],
    ['/functions/v1', 'functions'],
  ] as const) {
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      const below = path.slice(prefix.length) || '/'
      const open =
        name === 'mail' || name === 'functions' || (name === 'auth' && OPEN_AUTH_PATHS.has(below))
      return { name, path: below, open }
    }
  }
  return undefined
}

function isFunctionsPath(path: string): boolean {
  return path === '/functions/v1' || path.startsWith('/functions/v1/')
}

/** A CORS preflight: OPTIONS with `Access-Control-Request-Method`. */
function isPreflight(req: IncomingMessage): boolean {
  return req.headers['access-control-request-method'] !== undefined
}
