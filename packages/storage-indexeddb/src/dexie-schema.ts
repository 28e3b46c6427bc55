// The Dexie database of Parley's default adapter: table names, row shapes and every schema
// version. To change the schema, add a `db.version(n + 1)` with the new stores and, when rows
// must be rewritten, an `.upgrade(tx => …)`; never edit a published version (see docs/STORAGE.md).
import { Dexie } from 'dexie'
import type { ConversationIndexEntry, OutboxEntry } from '@parley/core/ports'

/** Current schema version of the Dexie database. */
export const DEXIE_SCHEMA_VERSION = 1

/** One snapshot per (conversation, segment). */
export interface SnapshotRow {
  conversationId: string
  segment: number
  update: Uint8Array
  updatedAt: number
}

/** One update-log row; `key` is the auto-incremented primary key. */
export interface LogRow {
  key?: number
  conversationId: string
  segment: number
  update: Uint8Array
}

/** A per-conversation record keyed by conversation id (tail, cursor). */
export interface ConversationValueRow {
  conversationId: string
  value: unknown
}

/** A key-value row (engine kv, adapter meta). */
export interface KeyValueRow {
  key: string
  value: unknown
}

/** An outbox row; `seq` is the auto-incremented primary key. */
export type OutboxRow = Omit<OutboxEntry, 'seq'> & { seq?: number }

/** Table names. */
export const TABLES = {
  snapshots: 'snapshots',
  log: 'log',
  tails: 'tails',
  conversations: 'conversations',
  outbox: 'outbox',
  cursors: 'cursors',
  kv: 'kv',
  meta: 'meta',
} as const

/** The Dexie database with Parley's tables. */
export interface ParleyDexie extends Dexie {
  snapshots: Dexie.Table<SnapshotRow, [string, number]>
  log: Dexie.Table<LogRow, number>
  tails: Dexie.Table<ConversationValueRow, string>
  conversations: Dexie.Table<ConversationIndexEntry, string>
  outbox: Dexie.Table<OutboxRow, number>
  cursors: Dexie.Table<ConversationValueRow, string>
  kv: Dexie.Table<KeyValueRow, string>
  meta: Dexie.Table<KeyValueRow, string>
}

/** Where Dexie finds IndexedDB; both default to the globals. */
export interface DexieEnvironment {
  indexedDB?: IDBFactory | undefined
  IDBKeyRange?: typeof IDBKeyRange | undefined
  durability?: 'default' | 'strict' | 'relaxed' | undefined
}

/** Creates (does not open) the Dexie database `name` with every schema version declared. */
export function createParleyDexie(name: string, environment: DexieEnvironment = {}): ParleyDexie {
  const db = new Dexie(name, {
    // The engine never uses liveQuery; Dexie's optimistic cache would only cost memory and time.
    cache: 'disabled',
    chromeTransactionDurability: environment.durability ?? 'default',
    ...(environment.indexedDB === undefined ? {} : { indexedDB: environment.indexedDB }),
    ...(environment.IDBKeyRange === undefined ? {} : { IDBKeyRange: environment.IDBKeyRange }),
  }) as ParleyDexie
  db.version(1).stores({
    [TABLES.snapshots]: '[conversationId+segment]',
    [TABLES.log]: '++key, [conversationId+segment+key]',
    [TABLES.tails]: 'conversationId',
    [TABLES.conversations]: 'id',
    [TABLES.outbox]: '++seq, &id, conversationId',
    [TABLES.cursors]: 'conversationId',
    [TABLES.kv]: 'key',
    [TABLES.meta]: 'key',
  })
  return db
}
