import type { ConversationId } from '../ids.js'
import type { PeerId } from './transport-messages.js'

/**
 * Why a transport reports a failure.
 *
 * - `invalid-message`: something arrived that is not a valid transport message (garbage, a
 *   missing field, bytes that do not decode, a spoofed sender); it was dropped.
 * - `unsupported-version`: a message of another protocol version arrived (a tab or device running
 *   an older or newer Parley); it was dropped. The app may suggest a reload.
 * - `send-failed`: the medium refused a message (e.g. `DataCloneError`, a rejected broadcast); it
 *   was not sent. The engine's resync or outbox covers it.
 * - `join-failed`: subscribing to a conversation failed (e.g. not authorised).
 * - `listener-failed`: a listener of this transport threw; the other listeners still ran.
 * - `closed`: the transport closed, or was used after closing.
 * - `unknown`: anything else.
 */
export type TransportErrorCode =
  | 'invalid-message'
  | 'unsupported-version'
  | 'send-failed'
  | 'join-failed'
  | 'listener-failed'
  | 'closed'
  | 'unknown'

/** Every code of {@link TransportErrorCode}, for validation and exhaustive tests. */
export const TRANSPORT_ERROR_CODES: readonly TransportErrorCode[] = [
  'invalid-message',
  'unsupported-version',
  'send-failed',
  'join-failed',
  'listener-failed',
  'closed',
  'unknown',
]

/** Options of {@link TransportError}. */
export interface TransportErrorOptions {
  /** The underlying error (a `DOMException`, a Realtime error, a listener's exception…). */
  cause?: unknown
  /** The peer the failure concerns (the claimed sender of an invalid message), when known. */
  peer?: PeerId
  /** The conversation the failure concerns, when known. */
  conversationId?: ConversationId
}

/**
 * The only error a {@link Transport} reports. Transports report through their `error` event (and
 * an injected `onError`); they do not throw for network or peer failures.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError'
  /** What went wrong, see {@link TransportErrorCode}. */
  readonly code: TransportErrorCode
  /** The peer concerned, if known. */
  readonly peer: PeerId | undefined
  /** The conversation concerned, if known. */
  readonly conversationId: ConversationId | undefined

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.peer = options.peer
    this.conversationId = options.conversationId
  }
}

/**
 * True when `value` is a {@link TransportError} (optionally with the given `code`). Checks the
 * shape rather than only `instanceof`, so errors that crossed a realm are recognised too.
 */
export function isTransportError(
  value: unknown,
  code?: TransportErrorCode,
): value is TransportError {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; code?: unknown }
  const shaped =
    value instanceof TransportError ||
    (candidate.name === 'TransportError' &&
      typeof candidate.code === 'string' &&
      (TRANSPORT_ERROR_CODES as readonly string[]).includes(candidate.code))
  return shaped && (code === undefined || candidate.code === code)
}
