// The host remembers who was signed in last, so a visit without a session — the app opened
// offline, its access token long expired — still opens that user's local data. It is cleared on
// sign-out. Kept in a tiny IndexedDB database of its own, apart from every user's database.
import type { AuthUser } from './auth-state.js'

/** Where the host keeps the last signed-in user. Every call settles; failures reject. */
export interface AuthMemory {
  load(): Promise<AuthUser | null>
  save(user: AuthUser | null): Promise<void>
}

/** An in-memory {@link AuthMemory} (tests, and environments without IndexedDB). */
export function createMemoryAuthMemory(initial: AuthUser | null = null): AuthMemory {
  let user = initial
  return {
    load: async () => user,
    save: async (next) => {
      user = next
    },
  }
}

const STORE = 'auth'
const KEY = 'last-user'

/**
 * An IndexedDB {@link AuthMemory} in database `name` (one object store, one record). Falls back
 * to memory where `indexedDB` does not exist.
 */
export function createIndexedDbAuthMemory(name: string): AuthMemory {
  if (typeof indexedDB === 'undefined') return createMemoryAuthMemory()
  let opening: Promise<IDBDatabase> | undefined
  const open = (): Promise<IDBDatabase> =>
    (opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore(STORE)
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error(`opening ${name} failed`))
      request.onblocked = () => reject(new Error(`opening ${name} is blocked`))
    }))
  const run = <T>(
    mode: IDBTransactionMode,
    work: (store: IDBObjectStore) => IDBRequest,
  ): Promise<T> =>
    open().then(
      (db) =>
        new Promise<T>((resolve, reject) => {
          const tx = db.transaction(STORE, mode)
          const request = work(tx.objectStore(STORE))
          tx.oncomplete = () => resolve(request.result as T)
          tx.onerror = () => reject(tx.error ?? new Error('auth memory transaction failed'))
          tx.onabort = () => reject(tx.error ?? new Error('auth memory transaction aborted'))
        }),
    )
  return {
    async load() {
      const value = await run<unknown>('readonly', (store) => store.get(KEY))
      return readUser(value)
    },
    async save(user) {
      await run('readwrite', (store) =>
        user === null
          ? store.delete(KEY)
          : store.put({ id: user.id, displayName: user.displayName }, KEY),
      )
    },
  }
}

/** Reads a stored user back (stored data is untrusted across versions). */
function readUser(value: unknown): AuthUser | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as { id?: unknown; displayName?: unknown }
  if (typeof v.id !== 'string' || v.id === '') return null
  return { id: v.id, displayName: typeof v.displayName === 'string' ? v.displayName : '' }
}
