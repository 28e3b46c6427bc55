// Copies in and out of the in-memory StorageAdapter. A real database stores a copy of what it is
// given and returns a fresh one on every read; the memory adapter does the same, so a test that
// mutates a value after writing it (or after reading it) cannot pass here and fail in a browser.
import { StorageError } from '@parley/core/ports'
import type { OutboxEntry } from '@parley/core/ports'

/** A copy of `bytes` that shares no buffer with it. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return bytes.slice()
}

/**
 * A structured clone of `value`, as IndexedDB would store it. Throws a `StorageError('unknown')`
 * naming `operation` when the value cannot be cloned (a function, a class with private state…).
 */
export function cloneValue<T>(value: T, operation: string): T {
  try {
    return structuredClone(value)
  } catch (cause) {
    throw new StorageError('unknown', `value cannot be stored: ${String(cause)}`, {
      cause,
      operation,
    })
  }
}

/** A deep copy of an outbox entry, its update bytes included. */
export function cloneOutbox(entry: OutboxEntry): OutboxEntry {
  return {
    ...cloneValue({ ...entry, update: undefined }, 'outbox'),
    update: copyBytes(entry.update),
  }
}
