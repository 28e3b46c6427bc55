// The Database over embedded PGlite: one single-connection Postgres in WebAssembly, in memory or
// in a data directory. PGlite queues every query and transaction on one mutex, which gives the
// serialised transactions the Database contract promises.
import { PGlite } from '@electric-sql/pglite'
import type { Transaction } from '@electric-sql/pglite'
import type { Database, QueryResult, Queryable, RequestAuth } from './database.js'
import { toDatabaseError } from './database-error.js'
import { requestSettings } from './request-settings.js'

/** Where PGlite keeps its files: `undefined` = in memory. */
export interface PgliteDatabaseOptions {
  /** Data directory; created when missing. Default: in memory. */
  dataDir?: string
}

/** A thrown marker that makes PGlite roll back a transaction whose result is still wanted. */
class RollbackSignal<T> {
  constructor(readonly value: T) {}
}

/** Opens PGlite (in memory, or in `dataDir`) as a {@link Database}. */
export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  const pg = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir })
  let closed = false
  let closing: Promise<void> | undefined

  const ensureOpen = (): void => {
    if (closed) throw new Error('Database is closed')
  }
  const run = async <Row>(
    target: PGlite | Transaction,
    sql: string,
    params?: unknown[],
  ): Promise<QueryResult<Row>> => {
    try {
      const result = await target.query<Row>(sql, params)
      const out: QueryResult<Row> = {
        rows: result.rows,
        fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      }
      if (result.affectedRows !== undefined) out.affectedRows = result.affectedRows
      return out
    } catch (error) {
      throw toDatabaseError(error)
    }
  }

  return {
    kind: 'pglite',
    async query<Row = Record<string, unknown>>(sql: string, params?: unknown[]) {
      ensureOpen()
      return run<Row>(pg, sql, params)
    },
    async exec(sql: string) {
      ensureOpen()
      try {
        await pg.exec(sql)
      } catch (error) {
        throw toDatabaseError(error)
      }
    },
    async withRole<T>(
      auth: RequestAuth,
      fn: (tx: Queryable) => Promise<T>,
      txOptions?: { rollback?: boolean },
    ): Promise<T> {
      ensureOpen()
      const prelude = requestSettings(auth)
      try {
        return await pg.transaction(async (tx) => {
          await run(tx, prelude.sql, prelude.params)
          const queryable: Queryable = {
            query: <Row = Record<string, unknown>>(sql: string, params?: unknown[]) =>
              run<Row>(tx, sql, params),
          }
          const value = await fn(queryable)
          if (txOptions?.rollback) throw new RollbackSignal(value)
          return value
        })
      } catch (error) {
        if (error instanceof RollbackSignal) return error.value as T
        throw error
      }
    },
    async listen(channel: string, onNotify: (payload: string) => void) {
      ensureOpen()
      const unlisten = await pg.listen(channel, onNotify)
      let done = false
      return async () => {
        if (done || closed) return
        done = true
        await unlisten()
      }
    },
    close() {
      closed = true
      closing ??= pg.close()
      return closing
    },
  }
}
