// Between Node's HTTP objects and the Web `Request`/`Response` a function handles: headers are
// carried over as sent (minus hop-by-hop ones), response bodies are streamed with backpressure,
// and a client that goes away cancels the function's body stream.
import type { IncomingMessage, ServerResponse } from 'node:http'

// Per-connection headers (RFC 9110 §7.6.1) that a proxy does not forward.
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
])

/** The request headers as a function receives them; `overrides` replace same-named headers. */
export function requestHeaders(req: IncomingMessage, overrides: Record<string, string>): Headers {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (HOP_BY_HOP.has(name) || name in overrides) continue
    headers.append(name, raw[i + 1]!)
  }
  for (const [name, value] of Object.entries(overrides)) headers.set(name, value)
  return headers
}

/** A Web `Request` for `url` with `req`'s method and the already-read body. */
export function toWebRequest(
  req: IncomingMessage,
  url: string,
  headers: Headers,
  body: Buffer,
  signal: AbortSignal,
): Request {
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  return new Request(url, {
    method,
    headers,
    signal,
    ...(hasBody && { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) }),
  })
}

/**
 * Writes `response` to `res`: status, headers (each `set-cookie` separately) and the body as it
 * streams. Headers already on `res` (the gateway's CORS) stay unless the function sets them.
 * Resolves once the body is sent or the client has gone away.
 */
export async function sendWebResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
): Promise<void> {
  for (const [name, value] of response.headers) {
    if (HOP_BY_HOP.has(name) || name === 'set-cookie') continue
    res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  res.writeHead(response.status, response.statusText || undefined)
  if (response.body === null || req.method === 'HEAD') {
    await response.body?.cancel()
    res.end()
    return
  }
  const reader = response.body.getReader()
  const gone = new Promise<void>((resolve) => res.once('close', resolve))
  let closed = false
  void gone.then(() => {
    closed = true
    // The client left: stop the function's stream. A stream that errors on cancel has nothing
    // more to tell anyone.
    if (!res.writableFinished) reader.cancel().catch(() => false)
  })
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), gone.then(() => undefined)])
      if (next === undefined || closed) return
      if (next.done) break
      if (!res.write(next.value)) {
        await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone])
      }
    }
    res.end()
  } finally {
    reader.releaseLock()
  }
}
