// PostgREST's URL grammar for table calls: `select`, horizontal filters (`col=op.value`),
// `order`, `limit`, `offset`. Only the subset supabase-js' simple calls produce is accepted; the
// rest is refused with PGRST100 rather than half-understood.
import { PostgrestError } from './postgrest-error.js'

/** One item of `select=`: a column, optionally renamed (`alias:col`) and cast (`col::text`). */
export interface SelectItem {
  column: string | '*'
  alias?: string
  cast?: string
}

/** The comparison operators of horizontal filters. */
export type FilterOperator =
  'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike' | 'in' | 'is'

/** One horizontal filter `column=[not.]op.value`. */
export interface Filter {
  column: string
  operator: FilterOperator
  negate: boolean
  /** The raw value; for `in` the parsed list. */
  value: string | string[]
}

/** One `order=` term. */
export interface OrderTerm {
  column: string
  descending: boolean
  nulls?: 'first' | 'last'
}

/** Everything a table call says in its query string. */
export interface TableQuery {
  select: SelectItem[]
  filters: Filter[]
  order: OrderTerm[]
  limit?: number
  offset?: number
  /** `columns=` of inserts. */
  columns?: string[]
  /** `on_conflict=` of upserts. */
  onConflict?: string[]
}

const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict', 'apikey'])
const OPERATORS: ReadonlySet<string> = new Set([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'in',
  'is',
])
const CAST_PATTERN = /^[a-z_][a-z0-9_]*$/i

/** Parses the query string of a table request. Throws {@link PostgrestError} PGRST100. */
export function parseTableQuery(params: URLSearchParams): TableQuery {
  const query: TableQuery = {
    select: parseSelect(params.get('select') ?? '*'),
    filters: [],
    order: parseOrder(params.get('order')),
  }
  const limit = params.get('limit')
  if (limit !== null) query.limit = parseCount('limit', limit)
  const offset = params.get('offset')
  if (offset !== null) query.offset = parseCount('offset', offset)
  const columns = params.get('columns')
  if (columns !== null) query.columns = splitList(columns).map(unquote)
  const onConflict = params.get('on_conflict')
  if (onConflict !== null) query.onConflict = splitList(onConflict).map(unquote)
  for (const [name, value] of params) {
    if (RESERVED.has(name)) continue
    if (name === 'or' || name === 'and' || name === 'not.or' || name === 'not.and') {
      throw parseError(`Logical filters (${name}) are not supported by the emulator`)
    }
    query.filters.push(parseFilter(name, value))
  }
  return query
}

/** Parses `select=`; embedded resources and JSON paths are refused. */
export function parseSelect(text: string): SelectItem[] {
  const items: SelectItem[] = []
  for (const rawItem of splitList(text.replace(/\s+/g, ''))) {
    if (rawItem.includes('(') || rawItem.includes('->')) {
      throw parseError(
        `"${rawItem}": embedded resources and JSON paths are not supported by the emulator`,
      )
    }
    let rest = rawItem
    const item: SelectItem = { column: '*' }
    const castAt = rest.indexOf('::')
    if (castAt >= 0) {
      const cast = rest.slice(castAt + 2)
      if (!CAST_PATTERN.test(cast)) throw parseError(`Invalid cast "${cast}"`)
      item.cast = cast
      rest = rest.slice(0, castAt)
    }
    const aliasAt = rest.indexOf(':')
    if (aliasAt >= 0) {
      item.alias = unquote(rest.slice(0, aliasAt))
      rest = rest.slice(aliasAt + 1)
    }
    const column = unquote(rest)
    if (column === '') throw parseError(`Invalid select item "${rawItem}"`)
    item.column = column
    if (column === '*' && (item.alias !== undefined || item.cast !== undefined)) {
      throw parseError('"*" cannot be renamed or cast')
    }
    items.push(item)
  }
  if (items.length === 0) throw parseError('Empty select list')
  return items
}

function parseFilter(column: string, text: string): Filter {
  let rest = text
  let negate = false
  if (rest.startsWith('not.')) {
    negate = true
    rest = rest.slice(4)
  }
  const dot = rest.indexOf('.')
  const operator = dot < 0 ? rest : rest.slice(0, dot)
  if (dot < 0 || !OPERATORS.has(operator)) {
    throw parseError(`"${column}=${text}": unknown or unsupported filter operator`)
  }
  const raw = rest.slice(dot + 1)
  const op = operator as FilterOperator
  if (op === 'in') {
    if (!raw.startsWith('(') || !raw.endsWith(')')) {
      throw parseError(`"${column}=${text}": in needs a parenthesised list`)
    }
    const inner = raw.slice(1, -1)
    return {
      column: unquote(column),
      operator: op,
      negate,
      value: inner === '' ? [] : splitList(inner).map(unquote),
    }
  }
  if (
    op === 'is' &&
    !['null', 'not_null', 'true', 'false', 'unknown'].includes(raw.toLowerCase())
  ) {
    throw parseError(`"${column}=${text}": is accepts null, not_null, true, false or unknown`)
  }
  return { column: unquote(column), operator: op, negate, value: raw }
}

function parseOrder(text: string | null): OrderTerm[] {
  if (text === null || text === '') return []
  return splitList(text).map((term) => {
    const parts = term.split('.')
    const column = unquote(parts[0] ?? '')
    const order: OrderTerm = { column, descending: false }
    for (const modifier of parts.slice(1)) {
      if (modifier === 'asc') order.descending = false
      else if (modifier === 'desc') order.descending = true
      else if (modifier === 'nullsfirst') order.nulls = 'first'
      else if (modifier === 'nullslast') order.nulls = 'last'
      else throw parseError(`"${term}": unknown order modifier "${modifier}"`)
    }
    if (column === '') throw parseError(`Invalid order term "${term}"`)
    return order
  })
}

function parseCount(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw parseError(`"${name}=${text}" is not a non-negative integer`)
  return Number(text)
}

/** Splits on commas outside double quotes (PostgREST's list syntax). */
function splitList(text: string): string[] {
  const items: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '\\' && quoted && i + 1 < text.length) {
      current += char + text[++i]
    } else if (char === '"') {
      quoted = !quoted
      current += char
    } else if (char === ',' && !quoted) {
      items.push(current)
      current = ''
    } else {
      current += char
    }
  }
  items.push(current)
  return items
}

/** Strips PostgREST's optional double quotes (with `\"` and `\\` escapes). */
function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    return text.slice(1, -1).replace(/\\(.)/g, '$1')
  }
  return text
}

function parseError(message: string): PostgrestError {
  return new PostgrestError('PGRST100', 400, message)
}
