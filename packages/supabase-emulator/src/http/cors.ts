// CORS for browsers: the demo app runs on another origin than the emulator, exactly as it does
// against a hosted Supabase project.
import type { IncomingMessage, ServerResponse } from 'node:http'

const ALLOW_HEADERS = [
  'apikey',
  'authorization',
  'content-type',
  'x-client-info',
  'prefer',
  'accept-profile',
  'content-profile',
  'x-supabase-api-version',
  'x-retry-count',
  'range',
  'range-unit',
].join(', ')

// Headers supabase-js reads from responses: counts (content-range) and auth-js' error-code
// switch (x-supabase-api-version), which a browser hides unless exposed.
const EXPOSE_HEADERS = [
  'content-range',
  'range-unit',
  'content-profile',
  'preference-applied',
  'x-supabase-api-version',
  'x-sb-error-code',
].join(', ')

/** Adds CORS headers to every response; the origin is echoed so credentials would also work. */
export function applyCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin
  res.setHeader('access-control-allow-origin', origin ?? '*')
  if (origin) res.setHeader('vary', 'origin')
  res.setHeader('access-control-expose-headers', EXPOSE_HEADERS)
}

/** Answers a preflight `OPTIONS` request (204 with the allowed methods and headers). */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  applyCors(req, res)
  res.setHeader('access-control-allow-methods', 'GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS')
  const requested = req.headers['access-control-request-headers']
  res.setHeader(
    'access-control-allow-headers',
    requested ? `${ALLOW_HEADERS}, ${requested}` : ALLOW_HEADERS,
  )
  res.setHeader('access-control-max-age', '86400')
  res.writeHead(204).end()
}
