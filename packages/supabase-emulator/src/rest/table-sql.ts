// SQL fragments of table calls, built only from schema-cache names (quoted) and `$n` parameters
// (always sent as text and cast to the column's catalog type, so both drivers bind alike).
import { PostgrestError } from './postgrest-error.js'
import { quoteIdent } from './quote-ident.js'
import type { Filter, OrderTerm, SelectItem } from './query-params.js'
import type { ColumnInfo, TableInfo } from './schema-cache.js'

/** Collects parameters and hands out their `$n` placeholders. */
export class SqlParams {
  readonly values: string[] = []
  /** Adds a text value and returns `$n::text`. */
  add(value: string): string {
    this.values.push(value)
    return `$${this.values.length}::text`
  }
}

/** The table's schema-qualified, quoted name. */
export function tableName(table: TableInfo): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`
}

/** Looks a column up; an unknown name is Postgres' `42703` (400), as PostgREST answers. */
export function column(table: TableInfo, name: string): ColumnInfo {
  const info = table.columns.get(name)
  if (!info) {
    throw new PostgrestError('42703', 400, `column ${table.name}.${name} does not exist`)
  }
  return info
}

/** Looks up a column named in a request body; unknown → PGRST204 (400). */
export function bodyColumn(table: TableInfo, name: string): ColumnInfo {
  const info = table.columns.get(name)
  if (!info) {
    throw new PostgrestError(
      'PGRST204',
      400,
      `Could not find the '${name}' column of '${table.name}' in the schema cache`,
    )
  }
  return info
}

/** The select list over alias `_t`. */
export function selectList(table: TableInfo, items: SelectItem[]): string {
  return items
    .map((item) => {
      if (item.column === '*') return '_t.*'
      const info = column(table, item.column)
      let expression = `_t.${quoteIdent(info.name)}`
      if (item.cast !== undefined) expression += `::${quoteIdent(item.cast)}`
      return `${expression} as ${quoteIdent(item.alias ?? info.name)}`
    })
    .join(', ')
}

/** The `where` clause (with leading ` where `) for the filters, or an empty string. */
export function whereClause(table: TableInfo, filters: Filter[], params: SqlParams): string {
  if (filters.length === 0) return ''
  return ` where ${filters.map((f) => condition(table, f, params)).join(' and ')}`
}

const COMPARISONS: Record<string, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
}

function condition(table: TableInfo, filter: Filter, params: SqlParams): string {
  const info = column(table, filter.column)
  const target = `_t.${quoteIdent(info.name)}`
  const typed = (value: string) => `cast(${params.add(value)} as ${info.type})`
  let sql: string
  const value = filter.value
  if (filter.operator === 'in') {
    const list = Array.isArray(value) ? value : [value]
    sql = list.length === 0 ? 'false' : `${target} in (${list.map(typed).join(', ')})`
  } else if (typeof value !== 'string') {
    throw new PostgrestError('PGRST100', 400, `Invalid value for ${filter.operator}`)
  } else if (filter.operator === 'is') {
    const keyword = value.toLowerCase()
    sql = keyword === 'not_null' ? `${target} is not null` : `${target} is ${keyword}`
  } else if (filter.operator === 'like' || filter.operator === 'ilike') {
    // PostgREST lets `*` stand for `%` so patterns survive URL encoding.
    sql = `${target}::text ${filter.operator} ${params.add(value.replaceAll('*', '%'))}`
  } else {
    sql = `${target} ${COMPARISONS[filter.operator]} ${typed(value)}`
  }
  return filter.negate ? `not (${sql})` : sql
}

/** The `order by` clause (with leading space), or an empty string. */
export function orderClause(table: TableInfo, order: OrderTerm[]): string {
  if (order.length === 0) return ''
  const terms = order.map((term) => {
    const info = column(table, term.column)
    const nulls = term.nulls ? ` nulls ${term.nulls}` : ''
    return `_t.${quoteIdent(info.name)} ${term.descending ? 'desc' : 'asc'}${nulls}`
  })
  return ` order by ${terms.join(', ')}`
}
