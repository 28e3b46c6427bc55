// The one maker of message ids. The engine's documents use it for every `send` without an id, and
// a client that must choose an id before the send reaches the engine (an idempotent retry across a
// worker handover) calls it too, so every id has the same shape whoever made it.
import type { MessageId } from './ids.js'

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'

/** Random bytes are drawn in blocks: one `getRandomValues` call per id costs more than the id. */
const POOL_SIZE = 21 * 256
let pool = new Uint8Array(0)
let poolOffset = POOL_SIZE

/**
 * A new random message id: 21 characters of a 64-symbol alphabet (126 random bits) from
 * `crypto.getRandomValues`, short enough to keep a message's update small.
 */
export function newMessageId(): MessageId {
  if (poolOffset + 21 > pool.length) {
    pool = new Uint8Array(POOL_SIZE)
    globalThis.crypto.getRandomValues(pool)
    poolOffset = 0
  }
  let id = ''
  for (let k = 0; k < 21; k++) id += ID_ALPHABET[(pool[poolOffset + k] as number) & 63]
  poolOffset += 21
  return id as MessageId
}
