// The emulator's Supabase Realtime: WebSocket upgrades on /realtime/v1/websocket, the REST
// broadcast endpoints, and fan-out of broadcasts written in SQL. The HTTP server routes to it.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { createApiKeys, resolveApiKey, type ApiKeys } from '../auth/api-keys.js'
import type { Database, RequestAuth } from '../db/database.js'
import { authorizeRealtime } from '../db/authorize-realtime.js'
import { BroadcastRouter } from './broadcast-router.js'
import { ChannelRegistry } from './channel-registry.js'
import { listenForDatabaseBroadcasts } from './database-broadcasts.js'
import { PresenceTracker } from './presence-tracker.js'
import {
  DEFAULT_REALTIME_LIMITS,
  delay,
  type RealtimeAuthorizer,
  type RealtimeContext,
  type RealtimeLimits,
  type RealtimeLogger,
} from './realtime-context.js'
import { CONNECT_ERROR, RealtimeError } from './realtime-errors.js'
import {
  batchBroadcast,
  eventBroadcast,
  type EventBroadcastRequest,
  type RealtimeHttpResponse,
} from './rest-broadcast.js'
import { serializerV1 } from './serializer-v1.js'
import { serializerV2 } from './serializer-v2.js'
import type { RealtimeSerializer } from './realtime-message.js'
import { checkRealtimeToken, toRequestAuth } from './realtime-token.js'
import { CLOSE_GOING_AWAY, SocketSession } from './socket-session.js'

/** Options of {@link createRealtimeServer}. */
export interface RealtimeServerOptions {
  /** The database whose RLS policies authorize private channels and whose NOTIFYs broadcast. */
  db: Database
  /** The project JWT secret (HS256). */
  jwtSecret: string
  /** Accepted keys; `sb_…` keys are swapped for their JWTs. Default: derived from `jwtSecret`. */
  apiKeys?: ApiKeys
  /** Policy evaluation. Default: `authorizeRealtime(db, …)` (RLS on `realtime.messages`). */
  authorize?: RealtimeAuthorizer
  /** Where dropped frames and failures are reported. Default: errors as process warnings. */
  logger?: Partial<RealtimeLogger>
  /** Clock in ms since the epoch, for token checks. Default `Date.now`. */
  now?: () => number
  /** Close a socket after this long without inbound data. Default 60,000 ms (Phoenix). */
  heartbeatTimeoutMs?: number
  /** Delay of `phx_join` error replies. Default 5,000 ms (Realtime's join backoff). */
  joinErrorDelayMs?: number
  /** Delay before refusing a WebSocket upgrade. Default 2,000 ms. */
  connectErrorDelayMs?: number
  /** Other limits; see {@link DEFAULT_REALTIME_LIMITS}. */
  limits?: Partial<RealtimeLimits>
  /** Listen for `realtime.send()` NOTIFYs. Default true. */
  listenToDatabase?: boolean
}

/** Counts for tests and diagnostics. */
export interface RealtimeServerStats {
  sockets: number
  rooms: number
  presenceRooms: number
}

/** A running Realtime emulator. */
export interface RealtimeServer {
  /** Resolves once database broadcasts are being listened to. */
  readonly ready: Promise<void>
  /** Takes over an HTTP upgrade for `/realtime/v1/websocket` (connect-time auth first). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /**
   * `POST /realtime/v1/api/broadcast`. `auth` is the caller's verified auth, or its raw token
   * (Bearer, else apikey) to verify here; null/undefined answers 401.
   */
  broadcast(
    body: unknown,
    auth: RequestAuth | string | null | undefined,
  ): Promise<RealtimeHttpResponse>
  /** `POST /realtime/v1/api/broadcast/<topic>/events/<event>` (`channel.httpSend`). */
  broadcastEvent(
    request: EventBroadcastRequest,
    auth: RequestAuth | string | null | undefined,
  ): Promise<RealtimeHttpResponse>
  stats(): RealtimeServerStats
  /** Closes every socket (code 1001, so clients reconnect) and stops listening. Idempotent. */
  close(): Promise<void>
}

/** How long `close()` waits for clients to complete the close handshake. */
const CLOSE_GRACE_MS = 200

const silentLogger: RealtimeLogger = {
  debug: () => undefined,
  warn: () => undefined,
  error: (message, details) => {
    process.emitWarning(message, { code: 'PARLEY_REALTIME', detail: describe(details) })
  },
}

/** Creates the Realtime emulator. It does not listen itself; the HTTP server routes to it. */
export function createRealtimeServer(options: RealtimeServerOptions): RealtimeServer {
  const { db, jwtSecret } = options
  const apiKeys = options.apiKeys ?? createApiKeys(jwtSecret)
  const limits: RealtimeLimits = {
    ...DEFAULT_REALTIME_LIMITS,
    ...options.limits,
    ...(options.heartbeatTimeoutMs !== undefined && { idleTimeoutMs: options.heartbeatTimeoutMs }),
    ...(options.joinErrorDelayMs !== undefined && { joinErrorDelayMs: options.joinErrorDelayMs }),
    ...(options.connectErrorDelayMs !== undefined && {
      connectErrorDelayMs: options.connectErrorDelayMs,
    }),
  }
  const registry = new ChannelRegistry()
  let ids = 0
  const logger = { ...silentLogger, ...options.logger }
  const ctx: RealtimeContext = {
    jwtSecret,
    now: options.now ?? Date.now,
    registry,
    router: new BroadcastRouter(registry),
    presence: new PresenceTracker(),
    authorize:
      options.authorize ??
      ((request) =>
        authorizeRealtime(db, request, {
          onPolicyError: (error) => logger.warn('realtime: RLS policy raised', { error }),
        })),
    logger,
    limits,
    nextId: () => (ids += 1),
  }
  const sessions = new Set<SocketSession>()
  const shutdown = new AbortController()
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    // Realtime does not validate UTF-8 in text frames (§1.1).
    skipUTF8Validation: true,
  })
  const unlisten =
    options.listenToDatabase === false
      ? Promise.resolve(async () => undefined)
      : listenForDatabaseBroadcasts(ctx, db)
  let closing: Promise<void> | undefined

  const resolveAuth = (auth: RequestAuth | string | null | undefined): RequestAuth | null => {
    if (auth === null || auth === undefined) return null
    if (typeof auth !== 'string') return auth
    const check = checkRealtimeToken(resolveApiKey(apiKeys, auth), jwtSecret, ctx.now())
    return check.ok ? toRequestAuth(check.claims) : null
  }

  const refuse = (socket: Duplex, status: number, message: string) => {
    void delay(limits.connectErrorDelayMs, shutdown.signal).then(() => {
      if (socket.destroyed) return
      const body = JSON.stringify({ error: message })
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Bad Request'}\r\n` +
          'content-type: application/json; charset=utf-8\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
    })
  }

  return {
    ready: unlisten.then(() => undefined),
    handleUpgrade(req, socket, head) {
      socket.on('error', (error) => logger.debug('realtime: upgrade socket error', { error }))
      if (shutdown.signal.aborted) {
        socket.destroy()
        return
      }
      const url = new URL(req.url ?? '/', 'http://localhost')
      const serializer = pickSerializer(url.searchParams.get('vsn'))
      if (serializer === null) {
        refuse(socket, 400, 'Unsupported serializer version')
        return
      }
      const header = req.headers['x-api-key']
      const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey')
      if (!given) {
        refuse(socket, 401, CONNECT_ERROR.missingKey)
        return
      }
      const token = resolveApiKey(apiKeys, given)
      const check = checkRealtimeToken(token, jwtSecret, ctx.now())
      if (!check.ok) {
        refuse(socket, 401, check.connectMessage)
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (shutdown.signal.aborted) {
          ws.terminate()
          return
        }
        const session = new SocketSession(ctx, ws, serializer, token, (done) =>
          sessions.delete(done),
        )
        sessions.add(session)
      })
    },
    async broadcast(body, auth) {
      if (shutdown.signal.aborted) throw new RealtimeError('closed', 'Realtime server is closed')
      return batchBroadcast(ctx, body, resolveAuth(auth))
    },
    async broadcastEvent(request, auth) {
      if (shutdown.signal.aborted) throw new RealtimeError('closed', 'Realtime server is closed')
      return eventBroadcast(ctx, request, resolveAuth(auth))
    },
    stats: () => ({
      sockets: sessions.size,
      rooms: registry.roomCount,
      presenceRooms: ctx.presence.roomCount,
    }),
    close() {
      closing ??= (async () => {
        shutdown.abort()
        const closed = [...wss.clients].map(
          (client) => new Promise<void>((resolve) => client.once('close', () => resolve())),
        )
        for (const session of [...sessions]) session.close(CLOSE_GOING_AWAY)
        // Clients that do not answer the close handshake must not hold the shutdown open.
        const grace = new AbortController()
        await Promise.race([Promise.all(closed), delay(CLOSE_GRACE_MS, grace.signal)])
        grace.abort()
        for (const client of wss.clients) client.terminate()
        await new Promise<void>((resolve) => wss.close(() => resolve()))
        await (
          await unlisten.catch(() => async () => undefined)
        )()
      })()
      return closing
    },
  }
}

/** Phoenix negotiates `~> 1.0.0` and `~> 2.0.0`; a missing vsn means 1.0.0 (§1.2). */
function pickSerializer(vsn: string | null): RealtimeSerializer | null {
  if (vsn === null || /^1\.0\.\d+$/.test(vsn)) return serializerV1
  if (/^2\.0\.\d+$/.test(vsn)) return serializerV2
  return null
}

function describe(details: Record<string, unknown> | undefined): string | undefined {
  if (details === undefined) return undefined
  try {
    return JSON.stringify(details, (_key, value: unknown) =>
      value instanceof Error ? `${value.name}: ${value.message}` : value,
    )
  } catch {
    return String(details)
  }
}
