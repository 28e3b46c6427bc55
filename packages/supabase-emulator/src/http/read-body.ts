// Buffers a request body with a size cap. An oversize body is drained (not buffered) so the
// client can read the 413 answer instead of seeing a reset connection mid-upload.
import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error.js'

/** Beyond this many times the limit we stop draining and drop the connection. */
const DRAIN_FACTOR = 8

/**
 * Reads the whole body of `req`. Rejects with {@link HttpError} `body_too_large` (413) when it
 * exceeds `limitBytes`, or `body_unreadable` (400) when the stream fails.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limitBytes * DRAIN_FACTOR) {
      // Too big to be worth draining: refuse now; the server closes the connection after it.
      req.resume()
      reject(tooLarge(limitBytes))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let overflow = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limitBytes) {
        overflow = true
        chunks.length = 0
        if (size > limitBytes * DRAIN_FACTOR) {
          req.pause()
          reject(tooLarge(limitBytes))
        }
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (overflow) reject(tooLarge(limitBytes))
      else resolve(Buffer.concat(chunks, size))
    })
    req.on('error', (error) => {
      reject(new HttpError('body_unreadable', 400, `Could not read request body: ${error.message}`))
    })
  })
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(
    'body_too_large',
    413,
    `Request body is larger than the limit of ${limitBytes} bytes`,
  )
}
