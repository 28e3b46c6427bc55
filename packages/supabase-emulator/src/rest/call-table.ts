// Table calls (`/rest/v1/<table>`): select, insert, upsert, update and delete with the filters,
// preferences and single-object mode that supabase-js' query builder produces (§2.1).
import type { Queryable } from '../db/database.js'
import { parsePrefer, type Preferences } from './prefer.js'
import { PostgrestError } from './postgrest-error.js'
import { parseTableQuery, type TableQuery } from './query-params.js'
import { quoteIdent } from './quote-ident.js'
import {
  notSingleObject,
  readJsonBody,
  SINGLE_OBJECT_TYPE,
  wantsSingleObject,
  type RestContext,
  type RestResult,
} from './rest-context.js'
import type { TableInfo } from './schema-cache.js'
import {
  bodyColumn,
  orderClause,
  selectList,
  SqlParams,
  tableName,
  whereClause,
} from './table-sql.js'

/** Rows of a statement, as JSON text, and how many there were. */
interface Rows {
  body: string
  count: number
}

/** Serves one table request. */
export async function callTable(context: RestContext, name: string): Promise<RestResult> {
  const table = await context.cache.table(context.schema, name)
  if (!table) {
    throw new PostgrestError(
      'PGRST205',
      404,
      `Could not find the table '${context.schema}.${name}' in the schema cache`,
    )
  }
  const query = parseTableQuery(context.request.url.searchParams)
  const prefer = parsePrefer(context.request.req)
  switch (context.request.req.method) {
    case 'GET':
    case 'HEAD':
      return read(context, table, query, prefer)
    case 'POST':
      return insert(context, table, query, prefer)
    case 'PATCH':
      return update(context, table, query, prefer)
    case 'DELETE':
      return remove(context, table, query, prefer)
    default:
      throw new PostgrestError(
        'PGRST101',
        405,
        `Method ${context.request.req.method} is not supported`,
      )
  }
}

async function read(
  context: RestContext,
  table: TableInfo,
  query: TableQuery,
  prefer: Preferences,
): Promise<RestResult> {
  const params = new SqlParams()
  const where = whereClause(table, query.filters, params)
  const limit = Math.min(query.limit ?? context.maxRows, context.maxRows)
  const offset = query.offset ?? 0
  const rowsSql = `select ${selectList(table, query.select)} from ${tableName(table)} as _t${where}${orderClause(table, query.order)} limit ${limit} offset ${offset}`
  const { rows, total } = await context.db.withRole(context.auth, async (tx) => {
    await tx.query('set transaction read only')
    const rows = await aggregate(tx, rowsSql, params.values)
    let total: number | undefined
    if (prefer.count !== undefined) {
      const counted = await tx.query<{ n: number }>(
        `select count(*)::int as n from ${tableName(table)} as _t${where}`,
        params.values,
      )
      total = counted.rows[0]?.n ?? 0
    }
    return { rows, total }
  })
  const range =
    rows.count === 0 ? `*/${total ?? '*'}` : `${offset}-${offset + rows.count - 1}/${total ?? '*'}`
  return respond(context, rows, 200, { 'content-range': range })
}

async function insert(
  context: RestContext,
  table: TableInfo,
  query: TableQuery,
  prefer: Preferences,
): Promise<RestResult> {
  const body = await readJsonBody(context, undefined)
  const records = Array.isArray(body) ? body : [body]
  if (!records.every(isRecord)) {
    throw new PostgrestError(
      'PGRST102',
      400,
      'Insert body must be a JSON object or an array of objects',
    )
  }
  const names =
    query.columns ??
    (Array.isArray(body)
      ? [...new Set(records.flatMap((r) => Object.keys(r as Record<string, unknown>)))]
      : Object.keys(body as Record<string, unknown>))
  const columns = names.map((n) => bodyColumn(table, n).name).map(quoteIdent)
  const params = new SqlParams()
  const source = params.add(JSON.stringify(records))
  let sql =
    columns.length === 0
      ? `insert into ${tableName(table)} as _t default values`
      : `insert into ${tableName(table)} as _t (${columns.join(', ')}) select ${columns.join(', ')} from json_populate_recordset(null::${tableName(table)}, ${source}::json)`
  const preferenceApplied: string[] = []
  if (prefer.resolution !== undefined) {
    const target = (query.onConflict ?? table.primaryKey).map((n) =>
      quoteIdent(bodyColumn(table, n).name),
    )
    if (target.length === 0) {
      throw new PostgrestError(
        'PGRST102',
        400,
        `Upsert on ${table.name} needs on_conflict (the table has no primary key)`,
      )
    }
    const updates = columns.map((c) => `${c} = excluded.${c}`)
    sql +=
      prefer.resolution === 'ignore-duplicates' || updates.length === 0
        ? ` on conflict (${target.join(', ')}) do nothing`
        : ` on conflict (${target.join(', ')}) do update set ${updates.join(', ')}`
    preferenceApplied.push(`resolution=${prefer.resolution}`)
  }
  if (records.length === 0) return mutationResult(context, { body: '[]', count: 0 }, 201, prefer)
  return mutate(context, table, query, prefer, sql, params, 201, preferenceApplied)
}

async function update(
  context: RestContext,
  table: TableInfo,
  query: TableQuery,
  prefer: Preferences,
): Promise<RestResult> {
  const body = await readJsonBody(context, {})
  if (!isRecord(body))
    throw new PostgrestError('PGRST102', 400, 'Update body must be a JSON object')
  const columns = Object.keys(body).map((n) => quoteIdent(bodyColumn(table, n).name))
  const params = new SqlParams()
  const source = params.add(JSON.stringify(body))
  if (columns.length === 0) return mutationResult(context, { body: '[]', count: 0 }, 200, prefer)
  const assignments = columns.map((c) => `${c} = _b.${c}`).join(', ')
  const sql = `update ${tableName(table)} as _t set ${assignments} from json_populate_record(null::${tableName(table)}, ${source}::json) as _b${whereClause(table, query.filters, params)}`
  return mutate(context, table, query, prefer, sql, params, 200, [])
}

async function remove(
  context: RestContext,
  table: TableInfo,
  query: TableQuery,
  prefer: Preferences,
): Promise<RestResult> {
  const params = new SqlParams()
  const sql = `delete from ${tableName(table)} as _t${whereClause(table, query.filters, params)}`
  return mutate(context, table, query, prefer, sql, params, 200, [])
}

/**
 * Runs a write in one transaction. With `return=representation` the affected rows come back
 * through `returning`; a single-object request that touched other than one row rolls back.
 */
async function mutate(
  context: RestContext,
  table: TableInfo,
  query: TableQuery,
  prefer: Preferences,
  sql: string,
  params: SqlParams,
  status: number,
  preferenceApplied: string[],
): Promise<RestResult> {
  const representation = prefer.return === 'representation'
  const single = wantsSingleObject(context)
  const rows = await context.db.withRole(context.auth, async (tx) => {
    let rows: Rows
    if (representation || single) {
      const returning = `select ${selectList(table, query.select)} from _w as _t${orderClause(table, query.order)}`
      rows = await aggregate(tx, returning, params.values, `with _w as (${sql} returning _t.*) `)
    } else {
      const result = await tx.query(sql, params.values)
      rows = { body: '[]', count: result.affectedRows ?? 0 }
    }
    // PostgREST undoes a single-object write that matched zero or several rows.
    if (single && rows.count !== 1) throw notSingleObject(rows.count)
    return rows
  })
  if (prefer.return !== undefined) preferenceApplied.push(`return=${prefer.return}`)
  const result = mutationResult(context, rows, status, prefer)
  if (preferenceApplied.length > 0) {
    result.headers = { ...result.headers, 'preference-applied': preferenceApplied.join(', ') }
  }
  return result
}

function mutationResult(
  context: RestContext,
  rows: Rows,
  status: number,
  prefer: Preferences,
): RestResult {
  const range = prefer.count === undefined ? '*/*' : `*/${rows.count}`
  if (prefer.return !== 'representation') {
    // return=minimal (the default): inserts answer 201, updates and deletes 204, no body.
    return { status: status === 201 ? 201 : 204, headers: { 'content-range': range } }
  }
  return respond(context, rows, status, { 'content-range': range })
}

/**
 * Runs a row query and aggregates it to a JSON array in SQL (no driver parsing). A writing CTE
 * must stay at the top level, so it comes as a separate `with` prefix.
 */
async function aggregate(
  tx: Queryable,
  rowsSql: string,
  values: string[],
  withPrefix = '',
): Promise<Rows> {
  const result = await tx.query<{ body: string; n: number }>(
    `${withPrefix}select coalesce(json_agg(_r), '[]')::text as body, count(*)::int as n from (${rowsSql}) as _r`,
    values,
  )
  const row = result.rows[0]
  return { body: row?.body ?? '[]', count: row?.n ?? 0 }
}

function respond(
  context: RestContext,
  rows: Rows,
  status: number,
  headers: Record<string, string>,
): RestResult {
  if (wantsSingleObject(context)) {
    if (rows.count !== 1) throw notSingleObject(rows.count)
    const [only] = JSON.parse(rows.body) as unknown[]
    return {
      status,
      body: JSON.stringify(only),
      contentType: `${SINGLE_OBJECT_TYPE}; charset=utf-8`,
      headers,
    }
  }
  return { status, body: rows.body, headers }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
