/**
 * Why a storage operation failed.
 *
 * - `quota-exceeded`: the origin is out of storage (`QuotaExceededError`); nothing of the failed
 *   call was written.
 * - `closed`: the adapter was closed (by `close()`, or after a fatal error); reopen it.
 * - `blocked`: opening or upgrading the database is blocked by another connection (an old tab).
 * - `version-change`: another tab upgraded or deleted the database; this connection was closed.
 * - `connection-lost`: the browser dropped the database connection (Safari's "Connection to
 *   Indexed Database server lost"); the adapter retried once and still failed.
 * - `corrupt`: a stored record is malformed or the schema is unknown (written by a newer version).
 * - `unknown`: anything else, including programming errors such as a duplicate outbox id.
 */
export type StorageErrorCode =
  | 'quota-exceeded'
  | 'closed'
  | 'blocked'
  | 'version-change'
  | 'connection-lost'
  | 'corrupt'
  | 'unknown'

/** Every code of {@link StorageErrorCode}, for validation and exhaustive tests. */
export const STORAGE_ERROR_CODES: readonly StorageErrorCode[] = [
  'quota-exceeded',
  'closed',
  'blocked',
  'version-change',
  'connection-lost',
  'corrupt',
  'unknown',
]

/** Options of {@link StorageError}. */
export interface StorageErrorOptions {
  /** The underlying error (a `DOMException`, a Dexie error, …). */
  cause?: unknown
  /** The adapter method that failed, e.g. `'commit'`; absent for asynchronous failures. */
  operation?: string
}

/**
 * The only error a {@link StorageAdapter} rejects with or reports through its `error` event.
 * `code` says what the caller can do about it; `cause` keeps the platform error for logs.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError'
  /** What went wrong, see {@link StorageErrorCode}. */
  readonly code: StorageErrorCode
  /** The adapter method that failed, if the failure belongs to a call. */
  readonly operation: string | undefined

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.operation = options.operation
  }
}

/**
 * True when `value` is a {@link StorageError}. Checks the shape rather than `instanceof`, so errors
 * that crossed a realm (worker, duplicated package) are recognised too.
 */
export function isStorageError(value: unknown): value is StorageError {
  if (value instanceof StorageError) return true
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; code?: unknown }
  return (
    candidate.name === 'StorageError' &&
    typeof candidate.code === 'string' &&
    (STORAGE_ERROR_CODES as readonly string[]).includes(candidate.code)
  )
}
