// What the server hands a route handler: the raw request, the parsed URL, the path below the
// service prefix and a lazy, size-capped body reader.
import type { IncomingMessage, ServerResponse } from 'node:http'

/** One HTTP request routed to a service (`/auth/v1`, `/rest/v1`, `/realtime/v1/api`). */
export interface EmulatorRequest {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** The path below the service prefix, e.g. `/signup` or `/rpc/create_conversation`. */
  path: string
  /** Reads the body once (cached); rejects with `HttpError` when it is too large. */
  body(): Promise<Buffer>
}

/** Something that answers requests for one service. Never rejects for client errors. */
export type RouteHandler = (request: EmulatorRequest) => Promise<void>

/** A header as a single string (the first value of a repeated header). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}
