// PostgREST answers (and fetch failures, which postgrest-js turns into status 0) → RemoteLogError.
// Parley's own errors are SQLSTATE P0001 with the code in `hint` (docs/SCHEMA.md "Error format").
import { RemoteLogError, type RemoteLogErrorCode } from '@parley/core/ports'

/** The `PARLEY_*` codes of supabase/migrations and what a client can do about each. */
const PARLEY_CODES: Readonly<Record<string, RemoteLogErrorCode>> = {
  PARLEY_NOT_AUTHENTICATED: 'not-authenticated',
  PARLEY_NOT_MEMBER: 'forbidden',
  PARLEY_UPDATE_TOO_LARGE: 'too-large',
  PARLEY_BATCH_TOO_LARGE: 'too-large',
  PARLEY_PAGE_TOO_LARGE: 'too-large',
  PARLEY_SNAPSHOT_TOO_LARGE: 'too-large',
  PARLEY_INVALID_ARGUMENT: 'invalid',
  PARLEY_INVALID_UPDATE: 'invalid',
  PARLEY_INVALID_SNAPSHOT: 'invalid',
  PARLEY_SNAPSHOT_AHEAD: 'invalid',
  PARLEY_CLIENT_UPDATE_ID_REUSED: 'conflict',
  PARLEY_CONVERSATION_ID_TAKEN: 'conflict',
  // docs/TRUST.md: devices and their client ids.
  PARLEY_UNKNOWN_DEVICE: 'forbidden',
  PARLEY_DEVICE_TAKEN: 'conflict',
  PARLEY_CLIENT_ID_TAKEN: 'conflict',
  PARLEY_TOO_MANY_CLIENT_IDS: 'invalid',
  // Too many failed invite codes (`details.retryAfterS`).
  PARLEY_RATE_LIMITED: 'rate-limited',
  PARLEY_HISTORY_PRUNED: 'history-pruned',
  PARLEY_INVITE_NOT_FOUND: 'invite-not-found',
  PARLEY_INVITE_EXPIRED: 'invite-expired',
  PARLEY_INVITE_EXHAUSTED: 'invite-exhausted',
  // No free invite code after 5 tries: vanishingly rare, and a retry draws new codes.
  PARLEY_INTERNAL: 'unavailable',
}

/** The error part of a postgrest-js answer (a `PostgrestError` or the plain object it builds). */
export interface RpcFailure {
  message?: unknown
  code?: unknown
  details?: unknown
  hint?: unknown
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** `details` is a JSON object string for Parley errors; its keys come back camelCased. */
function parseDetails(details: unknown): Record<string, unknown> {
  if (typeof details !== 'string' || !details.startsWith('{')) return {}
  try {
    const parsed: unknown = JSON.parse(details)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [camel(k), v]))
  } catch {
    // Not JSON after all (a PostgREST message): no structured details to offer.
    return {}
  }
}

/** The {@link RemoteLogErrorCode} of a `PARLEY_*` server code, or undefined for another string. */
export function parleyErrorCode(serverCode: string): RemoteLogErrorCode | undefined {
  return Object.hasOwn(PARLEY_CODES, serverCode) ? PARLEY_CODES[serverCode] : undefined
}

function codeFor(status: number, code: string, hint: string): RemoteLogErrorCode {
  const parley = parleyErrorCode(hint)
  if (parley !== undefined) return parley
  // postgrest-js reports fetch failures and aborts (our timeout) with status 0.
  if (status === 0) return 'network'
  if (code === 'PGRST301' || code === 'PGRST303') return 'auth-expired'
  if (code === 'PGRST302') return 'not-authenticated'
  if (code === '42501') return status === 401 ? 'not-authenticated' : 'forbidden'
  if (status === 429) return 'rate-limited'
  if (status === 413) return 'too-large'
  if (
    status >= 500 ||
    code === 'PGRST000' ||
    code === 'PGRST001' ||
    code === 'PGRST003' ||
    code.startsWith('08')
  )
    return 'unavailable'
  if (status === 401) return 'auth-expired'
  if (code.startsWith('22') || code === '23514' || code === 'PGRST102' || code === 'PGRST204')
    return 'invalid'
  return 'unknown'
}

/** Maps a failed RPC answer to a {@link RemoteLogError} of `operation`. */
export function mapRpcError(
  operation: string,
  status: number,
  failure: RpcFailure,
): RemoteLogError {
  const code = typeof failure.code === 'string' ? failure.code : ''
  const hint = typeof failure.hint === 'string' ? failure.hint : ''
  const message = typeof failure.message === 'string' ? failure.message : 'request failed'
  const serverCode = hint.startsWith('PARLEY_') ? hint : code !== '' ? code : undefined
  return new RemoteLogError(codeFor(status, code, hint), `${operation}: ${message}`, {
    operation,
    cause: failure,
    ...(status !== 0 && { status }),
    ...(serverCode !== undefined && { serverCode }),
    details: parseDetails(failure.details),
  })
}
