import { StorageError, isStorageError } from '@parley/core/ports'
import type { StorageErrorCode } from '@parley/core/ports'

// Safari (WebKit) drops the connection to its IndexedDB server process after the page was in the
// background or the process crashed; every later transaction fails with an UnknownError carrying
// this message until the database is reopened. https://bugs.webkit.org/show_bug.cgi?id=197050
const CONNECTION_LOST = /connection to indexed database server lost/i

interface ErrorLike {
  name?: unknown
  message?: unknown
  inner?: unknown
  cause?: unknown
  failures?: unknown
}

/** The error itself and every error it wraps (Dexie `inner`, `cause`, BulkError `failures`). */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = []
  const queue: unknown[] = [error]
  while (queue.length > 0 && chain.length < 16) {
    const next = queue.shift()
    if (typeof next !== 'object' || next === null || chain.includes(next as ErrorLike)) continue
    const candidate = next as ErrorLike
    chain.push(candidate)
    queue.push(candidate.inner, candidate.cause)
    if (Array.isArray(candidate.failures)) queue.push(...(candidate.failures as unknown[]))
    else if (typeof candidate.failures === 'object' && candidate.failures !== null) {
      queue.push(...Object.values(candidate.failures))
    }
  }
  return chain
}

function codeOf(link: ErrorLike): StorageErrorCode | undefined {
  const name = typeof link.name === 'string' ? link.name : ''
  const message = typeof link.message === 'string' ? link.message : ''
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') {
    return 'quota-exceeded'
  }
  if (CONNECTION_LOST.test(message)) return 'connection-lost'
  if (name === 'VersionChangeError') return 'version-change'
  if (name === 'DatabaseClosedError' || name === 'InvalidStateError') return 'closed'
  if (name === 'VersionError' || name === 'SchemaError' || name === 'UpgradeError') {
    return 'corrupt'
  }
  return undefined
}

// The most specific cause wins: a full disk explains an aborted transaction, not the other way.
const PRIORITY: StorageErrorCode[] = [
  'quota-exceeded',
  'connection-lost',
  'version-change',
  'corrupt',
  'closed',
]

/**
 * Maps anything IndexedDB or Dexie throws to a {@link StorageError}. A `StorageError` passes
 * through unchanged.
 */
export function toStorageError(error: unknown, operation?: string): StorageError {
  if (isStorageError(error)) return error
  const codes = new Set(chainOf(error).map(codeOf))
  const code = PRIORITY.find((c) => codes.has(c)) ?? 'unknown'
  const text =
    typeof error === 'object' && error !== null && 'message' in error
      ? String((error as { message: unknown }).message)
      : String(error)
  return new StorageError(code, operation === undefined ? text : `${operation}: ${text}`, {
    cause: error,
    ...(operation === undefined ? {} : { operation }),
  })
}
