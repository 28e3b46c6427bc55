// Response writers shared by the Auth, PostgREST and Realtime REST routes.
import type { ServerResponse } from 'node:http'

/** Extra response headers. */
export type HeaderMap = Record<string, string>

/** Sends `body` as JSON (`application/json; charset=utf-8`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: HeaderMap = {},
): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers)
}

/** Sends an already-serialised body with the given content type. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: HeaderMap = {},
): void {
  if (res.headersSent) return
  const body = Buffer.from(text, 'utf8')
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': String(body.length),
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

/** Sends a status with no body (204 or `return=minimal` answers). */
export function sendEmpty(res: ServerResponse, status: number, headers: HeaderMap = {}): void {
  if (res.headersSent) return
  res.writeHead(status, headers)
  res.end()
}
