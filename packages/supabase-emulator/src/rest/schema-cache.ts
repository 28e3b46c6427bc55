// PostgREST's schema cache: the tables, columns and functions of the exposed schemas, read from
// pg_catalog. Every identifier a request names is looked up here before it reaches SQL, so a
// name that is not a real table, column or function never becomes part of a statement.
import type { Queryable } from '../db/database.js'

/** A column as requests may name it. */
export interface ColumnInfo {
  name: string
  /** `format_type` of the column: a trusted SQL type name such as `bytea` or `text[]`. */
  type: string
}

/** A table, view or materialised view of an exposed schema. */
export interface TableInfo {
  schema: string
  name: string
  columns: Map<string, ColumnInfo>
  /** Primary-key column names (upsert's default conflict target). */
  primaryKey: string[]
}

/** An input parameter of a function. */
export interface ParameterInfo {
  /** Empty for an unnamed parameter. */
  name: string
  type: string
  hasDefault: boolean
}

/** A function callable through `/rpc/<name>`. */
export interface FunctionInfo {
  schema: string
  name: string
  parameters: ParameterInfo[]
  /** `v` volatile, `s` stable, `i` immutable. */
  volatility: 'v' | 's' | 'i'
  returnsSet: boolean
  returnsVoid: boolean
}

/** The catalog of the exposed schemas; reloads itself when a lookup misses. */
export interface SchemaCache {
  table(schema: string, name: string): Promise<TableInfo | undefined>
  functions(schema: string, name: string): Promise<FunctionInfo[]>
  /** Forgets everything; the next lookup reads pg_catalog again. */
  invalidate(): void
}

interface Snapshot {
  tables: Map<string, TableInfo>
  functions: Map<string, FunctionInfo[]>
}

const TABLES_SQL = `
select coalesce(json_agg(t), '[]')::text as json from (
  select n.nspname as schema, c.relname as name,
    (select json_agg(json_build_object('name', a.attname,
        'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
     from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
    coalesce((select json_agg(a.attname order by array_position(i.indkey::int2[], a.attnum))
     from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = c.oid and i.indisprimary), '[]') as primary_key
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any(string_to_array($1::text, ',')) and c.relkind in ('r', 'v', 'm', 'f', 'p')
) t`

const FUNCTIONS_SQL = `
select coalesce(json_agg(f), '[]')::text as json from (
  select n.nspname as schema, p.proname as name, p.provolatile as volatility,
    p.proretset as returns_set, p.prorettype = 'void'::regtype as returns_void,
    p.pronargdefaults as defaults,
    coalesce((select json_agg(json_build_object(
        'name', coalesce(p.proargnames[a.ord], ''), 'type', format_type(a.typ, null),
        'mode', coalesce(p.proargmodes[a.ord], 'i')) order by a.ord)
      from unnest(coalesce(p.proallargtypes,
        string_to_array(nullif(p.proargtypes::text, ''), ' ')::oid[])) with ordinality as a(typ, ord)),
      '[]') as args
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = any(string_to_array($1::text, ',')) and p.prokind = 'f'
) f`

interface RawFunction {
  schema: string
  name: string
  volatility: 'v' | 's' | 'i'
  returns_set: boolean
  returns_void: boolean
  defaults: number
  args: { name: string; type: string; mode: string }[]
}

/** Creates a cache over `db` for the given exposed schemas (queried as the superuser). */
export function createSchemaCache(db: Queryable, schemas: readonly string[]): SchemaCache {
  let current: Promise<Snapshot> | undefined

  async function load(): Promise<Snapshot> {
    const list = schemas.join(',')
    const tables = await db.query<{ json: string }>(TABLES_SQL, [list])
    const functions = await db.query<{ json: string }>(FUNCTIONS_SQL, [list])
    const snapshot: Snapshot = { tables: new Map(), functions: new Map() }
    const rawTables = JSON.parse(tables.rows[0]?.json ?? '[]') as {
      schema: string
      name: string
      columns: ColumnInfo[] | null
      primary_key: string[]
    }[]
    for (const raw of rawTables) {
      snapshot.tables.set(key(raw.schema, raw.name), {
        schema: raw.schema,
        name: raw.name,
        columns: new Map((raw.columns ?? []).map((c) => [c.name, c])),
        primaryKey: raw.primary_key,
      })
    }
    for (const raw of JSON.parse(functions.rows[0]?.json ?? '[]') as RawFunction[]) {
      const inputs = raw.args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v')
      const info: FunctionInfo = {
        schema: raw.schema,
        name: raw.name,
        volatility: raw.volatility,
        returnsSet: raw.returns_set,
        returnsVoid: raw.returns_void,
        parameters: inputs.map((a, index) => ({
          name: a.name,
          type: a.type,
          hasDefault: index >= inputs.length - raw.defaults,
        })),
      }
      const list = snapshot.functions.get(key(raw.schema, raw.name)) ?? []
      list.push(info)
      snapshot.functions.set(key(raw.schema, raw.name), list)
    }
    return snapshot
  }

  function snapshot(): Promise<Snapshot> {
    current ??= load().catch((error: unknown) => {
      current = undefined
      throw error
    })
    return current
  }

  /** Looks up in the cached snapshot; on a miss, reloads once (the schema may have changed). */
  async function lookup<T>(pick: (s: Snapshot) => T | undefined): Promise<T | undefined> {
    const cached = pick(await snapshot())
    if (cached !== undefined) return cached
    current = undefined
    return pick(await snapshot())
  }

  return {
    table: (schema, name) => lookup((s) => s.tables.get(key(schema, name))),
    functions: async (schema, name) =>
      (await lookup((s) => s.functions.get(key(schema, name)))) ?? [],
    invalidate: () => {
      current = undefined
    },
  }
}

function key(schema: string, name: string): string {
  return `${schema}\u0000${name}`
}
