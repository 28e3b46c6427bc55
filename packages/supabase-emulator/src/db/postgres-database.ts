// The Database over a Postgres server (node-postgres pool). Requests run concurrently on pooled
// connections; LISTEN uses one dedicated connection, opened on first use.
import pg from 'pg'
import type { Database, QueryResult, Queryable, RequestAuth } from './database.js'
import { toDatabaseError } from './database-error.js'
import { requestSettings } from './request-settings.js'

/** Options of {@link createPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** Connection URL, e.g. `postgres://postgres@127.0.0.1:5432/postgres`. */
  url: string
  /** Pool size. Default 10. */
  maxConnections?: number
  /** Errors that have no caller to reject (an idle connection or the LISTEN connection dropping). */
  onError?: (error: unknown) => void
}

// int8 as number so both drivers agree (PGlite parses it so); seqs stay far below 2^53.
const INT8_OID = 20
const INT8_ARRAY_OID = 1016
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID) return (value: string) => Number(value)
    if (oid === INT8_ARRAY_OID) {
      const parseArray = pg.types.getTypeParser(oid as number, 'text') as (v: string) => unknown
      return (value: string) => {
        const parsed = parseArray(value)
        return Array.isArray(parsed) ? parsed.map((v) => (v === null ? null : Number(v))) : parsed
      }
    }
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown
  },
}

const toResult = <Row>(result: pg.QueryResult): QueryResult<Row> => {
  const out: QueryResult<Row> = {
    rows: result.rows as Row[],
    fields: (result.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  }
  if (typeof result.rowCount === 'number' && result.command !== 'SELECT') {
    out.affectedRows = result.rowCount
  }
  return out
}

/** Connects to a Postgres server as a {@link Database}. Fails if the server cannot be reached. */
export async function createPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  const onError =
    options.onError ??
    ((error: unknown) => {
      // No caller can receive this error; keeping the process alive matters more than reporting.
      void error
    })
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types,
  })
  pool.on('error', onError)
  // Fail fast on a bad URL rather than on the first request.
  const probe = await pool.connect().catch((error: unknown) => {
    void pool.end()
    throw toDatabaseError(error)
  })
  probe.release()

  let closed = false
  let closing: Promise<void> | undefined
  let listener: Promise<pg.Client> | undefined
  const handlers = new Map<string, Set<(payload: string) => void>>()

  const ensureOpen = (): void => {
    if (closed) throw new Error('Database is closed')
  }
  const run = async <Row>(
    target: pg.Pool | pg.PoolClient,
    sql: string,
    params?: unknown[],
  ): Promise<QueryResult<Row>> => {
    try {
      return toResult<Row>(await target.query(sql, params))
    } catch (error) {
      throw toDatabaseError(error)
    }
  }
  const listenClient = (): Promise<pg.Client> => {
    listener ??= (async () => {
      const client = new pg.Client({ connectionString: options.url, types })
      client.on('error', onError)
      client.on('notification', (message) => {
        for (const handler of handlers.get(message.channel) ?? []) {
          try {
            handler(message.payload ?? '')
          } catch (error) {
            onError(error)
          }
        }
      })
      await client.connect()
      return client
    })()
    return listener
  }
  const quoteIdent = (name: string): string => '"' + name.replaceAll('"', '""') + '"'

  return {
    kind: 'postgres',
    async query<Row = Record<string, unknown>>(sql: string, params?: unknown[]) {
      ensureOpen()
      return run<Row>(pool, sql, params)
    },
    async exec(sql: string) {
      ensureOpen()
      // Without parameters node-postgres uses the simple protocol, which allows many statements.
      await run(pool, sql)
    },
    async withRole<T>(
      auth: RequestAuth,
      fn: (tx: Queryable) => Promise<T>,
      txOptions?: { rollback?: boolean },
    ): Promise<T> {
      ensureOpen()
      const prelude = requestSettings(auth)
      const client = await pool.connect()
      let broken = false
      try {
        await run(client, 'begin')
        try {
          await run(client, prelude.sql, prelude.params)
          const value = await fn({
            query: <Row = Record<string, unknown>>(sql: string, params?: unknown[]) =>
              run<Row>(client, sql, params),
          })
          await run(client, txOptions?.rollback ? 'rollback' : 'commit')
          return value
        } catch (error) {
          await run(client, 'rollback').catch((rollbackError: unknown) => {
            broken = true
            onError(rollbackError)
          })
          throw error
        }
      } finally {
        // A connection whose rollback failed is in an unknown state: destroy it, do not reuse it.
        client.release(broken)
      }
    },
    async listen(channel: string, onNotify: (payload: string) => void) {
      ensureOpen()
      const client = await listenClient()
      let set = handlers.get(channel)
      if (!set) {
        set = new Set()
        handlers.set(channel, set)
        await client.query(`listen ${quoteIdent(channel)}`)
      }
      set.add(onNotify)
      let done = false
      return async () => {
        if (done) return
        done = true
        const current = handlers.get(channel)
        if (!current) return
        current.delete(onNotify)
        if (current.size === 0 && !closed) {
          handlers.delete(channel)
          await client.query(`unlisten ${quoteIdent(channel)}`)
        }
      }
    },
    close() {
      if (!closing) {
        closed = true
        closing = (async () => {
          const client = listener
            ? await listener.catch((error: unknown) => {
                onError(error)
                return undefined
              })
            : undefined
          if (client) await client.end().catch(onError)
          await pool.end()
        })()
      }
      return closing
    },
  }
}
