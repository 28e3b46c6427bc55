/**
 * Why a {@link RemoteLog} call failed. The first four are **retryable** (the same call may
 * succeed later, see {@link isRetryableRemoteLogError}); the others are **permanent** for the
 * arguments given (retrying the same call gives the same answer).
 *
 * Retryable:
 * - `network`: no answer arrived (offline, DNS, connection reset, timeout). The call **may have
 *   been applied** on the server; retry with the same arguments (pushes are idempotent).
 * - `unavailable`: the server answered but could not serve (HTTP 5xx, database down).
 * - `auth-expired`: the access token is expired or no longer valid; retry after the session is
 *   refreshed (supabase-js refreshes it on its own).
 * - `rate-limited`: too many requests (HTTP 429); retry after a backoff.
 *
 * Permanent:
 * - `not-authenticated`: nobody is signed in (the API key alone may not call the log).
 * - `forbidden`: not a member of the conversation (or it does not exist: the two look the same,
 *   so ids cannot be probed), or the role lacks the privilege.
 * - `too-large`: an update, a batch, a snapshot or a page exceeds a limit
 *   ({@link REMOTE_LOG_LIMITS}); `details` has `size`/`limit` and, for a push, the `index` of
 *   the offending entry.
 * - `invalid`: an argument is malformed (not a UUID, empty bytes, a snapshot beyond the log, bad
 *   title or kind…); nothing was written.
 * - `conflict`: an id is already used for something else — a `clientUpdateId` reused for
 *   different bytes (an engine bug), a device id of another user, or a client id bound to
 *   another device.
 * - `history-pruned`: `pull` asked for updates the server compacted away; load the snapshot
 *   first (`details.prunedUptoSeq`).
 * - `invite-not-found`, `invite-expired`, `invite-exhausted`: `joinConversation` with a code that
 *   does not exist, expired, or was used up.
 * - `invalid-response`: the server answered something that is not what the protocol promises
 *   (another schema version?); nothing can be trusted from that answer.
 * - `closed`: the remote log was closed.
 * - `unknown`: anything else.
 */
export type RemoteLogErrorCode =
  | 'network'
  | 'unavailable'
  | 'auth-expired'
  | 'rate-limited'
  | 'not-authenticated'
  | 'forbidden'
  | 'too-large'
  | 'invalid'
  | 'conflict'
  | 'history-pruned'
  | 'invite-not-found'
  | 'invite-expired'
  | 'invite-exhausted'
  | 'invalid-response'
  | 'closed'
  | 'unknown'

/** Every code of {@link RemoteLogErrorCode}, for validation and exhaustive tests. */
export const REMOTE_LOG_ERROR_CODES: readonly RemoteLogErrorCode[] = [
  'network',
  'unavailable',
  'auth-expired',
  'rate-limited',
  'not-authenticated',
  'forbidden',
  'too-large',
  'invalid',
  'conflict',
  'history-pruned',
  'invite-not-found',
  'invite-expired',
  'invite-exhausted',
  'invalid-response',
  'closed',
  'unknown',
]

/** The codes after which the same call may succeed later (see {@link RemoteLogErrorCode}). */
export const RETRYABLE_REMOTE_LOG_ERROR_CODES: readonly RemoteLogErrorCode[] = [
  'network',
  'unavailable',
  'auth-expired',
  'rate-limited',
]

/** Options of {@link RemoteLogError}. */
export interface RemoteLogErrorOptions {
  /** The underlying error (a fetch `TypeError`, a PostgREST error object…). */
  cause?: unknown
  /** The RemoteLog method that failed, e.g. `'push'`. */
  operation?: string
  /** The server's own code, e.g. `'PARLEY_UPDATE_TOO_LARGE'`, `'42501'`, `'PGRST303'`. */
  serverCode?: string
  /** The HTTP status, when there was an answer. */
  status?: number
  /** Structured facts from the server (`index`, `size`, `limit`, `prunedUptoSeq`…). */
  details?: Readonly<Record<string, unknown>>
}

/**
 * The only error a {@link RemoteLog} rejects with. `code` says what the caller can do (retry or
 * give up, see {@link isRetryableRemoteLogError}); `serverCode`, `status` and `cause` keep the
 * server's facts for logs and UI.
 */
export class RemoteLogError extends Error {
  override readonly name = 'RemoteLogError'
  /** What went wrong, see {@link RemoteLogErrorCode}. */
  readonly code: RemoteLogErrorCode
  /** The RemoteLog method that failed, if known. */
  readonly operation: string | undefined
  /** The server's code (`PARLEY_…`, a SQLSTATE, `PGRST…`), if there was one. */
  readonly serverCode: string | undefined
  /** The HTTP status of the answer, if there was one. */
  readonly status: number | undefined
  /** Structured facts from the server; `{}` when none. */
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: RemoteLogErrorCode, message: string, options: RemoteLogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.operation = options.operation
    this.serverCode = options.serverCode
    this.status = options.status
    this.details = options.details ?? {}
  }

  /** Whether the same call may succeed later (`code` is one of the retryable codes). */
  get retryable(): boolean {
    return RETRYABLE_REMOTE_LOG_ERROR_CODES.includes(this.code)
  }
}

/**
 * True when `value` is a {@link RemoteLogError} (optionally with the given `code`). Checks the
 * shape rather than only `instanceof`, so errors that crossed a realm (a worker, a duplicated
 * package) are recognised too.
 */
export function isRemoteLogError(
  value: unknown,
  code?: RemoteLogErrorCode,
): value is RemoteLogError {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; code?: unknown }
  const shaped =
    value instanceof RemoteLogError ||
    (candidate.name === 'RemoteLogError' &&
      typeof candidate.code === 'string' &&
      (REMOTE_LOG_ERROR_CODES as readonly string[]).includes(candidate.code))
  return shaped && (code === undefined || candidate.code === code)
}

/**
 * True when `value` is a {@link RemoteLogError} whose call may succeed if retried (`network`,
 * `unavailable`, `auth-expired`, `rate-limited`). Anything else — including errors that are not
 * RemoteLogErrors at all — is not retryable.
 */
export function isRetryableRemoteLogError(value: unknown): value is RemoteLogError {
  return isRemoteLogError(value) && RETRYABLE_REMOTE_LOG_ERROR_CODES.includes(value.code)
}
