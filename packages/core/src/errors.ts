/**
 * Machine-readable reasons of a {@link ParleyError}.
 *
 * - `invalid-argument`: a caller passed a value that fails validation (bad id, empty message…).
 * - `not-found`: the message (or other entity) named by the caller does not exist in the view.
 * - `not-author`: the local user tried to edit or delete a message written by someone else.
 * - `message-deleted`: the message was deleted; it can no longer be edited or reacted to.
 * - `invalid-stamp`: a string is not a valid encoded HLC stamp.
 * - `invalid-update`: bytes are not a valid Yjs update (only thrown by APIs that document it;
 *   `ConversationDoc.applyUpdate` reports it instead).
 * - `closed`: the object was closed and cannot be used any more.
 */
export type ParleyErrorCode =
  | 'invalid-argument'
  | 'not-found'
  | 'not-author'
  | 'message-deleted'
  | 'invalid-stamp'
  | 'invalid-update'
  | 'closed'

/** An error raised by `@parley/core` for a misuse the caller can fix; it carries a `code`. */
export class ParleyError extends Error {
  override readonly name = 'ParleyError'

  /**
   * @param code - what went wrong, see {@link ParleyErrorCode}.
   * @param message - a human-readable description.
   * @param options - `cause`: the underlying error, if any.
   */
  constructor(
    readonly code: ParleyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Whether `value` is a {@link ParleyError} (optionally with the given `code`). */
export function isParleyError(value: unknown, code?: ParleyErrorCode): value is ParleyError {
  return value instanceof ParleyError && (code === undefined || value.code === code)
}
