// The `/rest/v1` service: authenticates the request, picks the exposed schema and dispatches to
// RPC or table calls; every failure leaves as PostgREST's error JSON.
import type { ApiKeys } from '../auth/api-keys.js'
import { authenticate } from '../auth/authenticate.js'
import { isJwtError } from '../auth/jwt.js'
import { readRequestCredentials } from '../auth/request-credentials.js'
import type { Database, RequestAuth } from '../db/database.js'
import { header, type RouteHandler } from '../http/emulator-request.js'
import { isHttpError } from '../http/http-error.js'
import { sendEmpty, sendJson, sendText } from '../http/send.js'
import { callRpc } from './call-rpc.js'
import { callTable } from './call-table.js'
import { PostgrestError, toPostgrestError } from './postgrest-error.js'
import type { RestContext } from './rest-context.js'
import type { SchemaCache } from './schema-cache.js'

/** Options of {@link createRestHandler}. */
export interface RestHandlerOptions {
  db: Database
  cache: SchemaCache
  keys: ApiKeys
  jwtSecret: string
  /** Exposed schemas; the first is the default. Default `['public']`. */
  schemas?: readonly string[]
  /** PostgREST's `db-max-rows`. Default `1000` (the CLI's `max_rows`). */
  maxRows?: number
  /** Called for failures that are the emulator's fault (answered with 500). */
  onError?: (error: unknown) => void
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new PostgrestError(
      'PGRST100',
      400,
      `Invalid percent-encoding in path segment "${segment}"`,
    )
  }
}

/** Creates the `/rest/v1` route handler. */
export function createRestHandler(options: RestHandlerOptions): RouteHandler {
  const schemas = options.schemas ?? ['public']
  const maxRows = options.maxRows ?? 1000

  return async (request) => {
    const { req, res, path } = request
    let auth: RequestAuth | undefined
    try {
      auth = authenticateRequest(request.req, request.url)
      const method = req.method ?? 'GET'
      const profile = header(
        req,
        method === 'GET' || method === 'HEAD' ? 'accept-profile' : 'content-profile',
      )
      const schema = profile ?? schemas[0] ?? 'public'
      if (!schemas.includes(schema)) {
        throw new PostgrestError(
          'PGRST106',
          406,
          `Invalid schema: ${schema}`,
          null,
          `Only the following schemas are exposed: ${schemas.join(', ')}`,
        )
      }
      if (path === '/' || path === '') {
        return sendJson(res, 200, {
          swagger: '2.0',
          info: { title: 'Parley emulator PostgREST subset' },
          paths: {},
        })
      }
      const context: RestContext = {
        db: options.db,
        cache: options.cache,
        auth,
        schema,
        request,
        maxRows,
      }
      const segments = path
        .split('/')
        .filter((s) => s !== '')
        .map(decodeSegment)
      let result
      if (segments.length === 2 && segments[0] === 'rpc' && segments[1])
        result = await callRpc(context, segments[1])
      else if (segments.length === 1 && segments[0]) result = await callTable(context, segments[0])
      else throw new PostgrestError('PGRST125', 404, `Invalid path ${path}`)
      const headers: Record<string, string> = { 'content-profile': schema, ...result.headers }
      if (result.body === undefined) return sendEmpty(res, result.status, headers)
      return sendText(
        res,
        result.status,
        result.body,
        result.contentType ?? 'application/json; charset=utf-8',
        headers,
      )
    } catch (caught) {
      let error: PostgrestError | undefined
      if (isHttpError(caught))
        error = new PostgrestError(
          caught.status === 413 ? 'PGRST413' : 'PGRST102',
          caught.status,
          caught.message,
        )
      else error = toPostgrestError(caught, auth === undefined || auth.role === 'anon')
      if (error === undefined) {
        options.onError?.(caught)
        error = new PostgrestError('PGRST500', 500, 'Unexpected failure in the emulator')
      }
      const headers: Record<string, string> = {}
      if (error.status === 401) {
        headers['www-authenticate'] =
          `Bearer error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`
      }
      sendJson(res, error.status, error.toJSON(), headers)
    }
  }

  function authenticateRequest(req: Parameters<RouteHandler>[0]['req'], url: URL): RequestAuth {
    const { token } = readRequestCredentials(req, url, options.keys)
    if (token === undefined) {
      // The gateway refuses keyless requests before PostgREST; kept here for direct callers.
      throw new PostgrestError('PGRST302', 401, 'Anonymous access is disabled')
    }
    try {
      return authenticate(token, options.jwtSecret)
    } catch (error) {
      if (!isJwtError(error)) throw error
      if (error.code === 'expired') throw new PostgrestError('PGRST303', 401, 'JWT expired')
      if (error.code === 'missing_claims') throw new PostgrestError('PGRST303', 401, error.message)
      throw new PostgrestError(
        'PGRST301',
        401,
        error.code === 'bad_signature' ? 'No suitable key or wrong key type' : error.message,
      )
    }
  }
}
