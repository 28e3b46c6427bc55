// `/rest/v1/rpc/<fn>` (SUPABASE-PROTOCOL §2.3): find the function by schema, name and the set of
// argument names, bind the JSON arguments through `json_to_record` (so values convert with
// Postgres' own text input rules, as PostgREST does), and shape the result by return type.
import type { Queryable } from '../db/database.js'
import { PostgrestError } from './postgrest-error.js'
import { quoteIdent } from './quote-ident.js'
import {
  notSingleObject,
  readJsonBody,
  wantsSingleObject,
  type RestContext,
  type RestResult,
} from './rest-context.js'
import type { FunctionInfo } from './schema-cache.js'

/** Query parameters of a GET call that are not function arguments. */
const NOT_ARGUMENTS = new Set([
  'select',
  'order',
  'limit',
  'offset',
  'columns',
  'on_conflict',
  'apikey',
])

/** Calls a function for POST (JSON body) or GET/HEAD (query-string arguments, read-only). */
export async function callRpc(context: RestContext, name: string): Promise<RestResult> {
  const method = context.request.req.method ?? 'GET'
  const readOnlyRequest = method === 'GET' || method === 'HEAD'
  if (!readOnlyRequest && method !== 'POST') {
    throw new PostgrestError('PGRST101', 405, 'Only GET, HEAD and POST are allowed for functions')
  }
  const args = readOnlyRequest
    ? queryArguments(context.request.url)
    : await readJsonBody(context, {})

  let match = findFunction(await context.cache.functions(context.schema, name), args)
  if (match === undefined) {
    // The function may have been created since the cache was read.
    context.cache.invalidate()
    match = findFunction(await context.cache.functions(context.schema, name), args)
  }
  if (match === undefined) throw await notFound(context, name, args)
  if (match === 'ambiguous') {
    throw new PostgrestError(
      'PGRST203',
      300,
      `Could not choose the best candidate function between several overloads of ${context.schema}.${name}`,
    )
  }
  const fn = match.fn
  const call = buildCall(fn, match.mode, isRecord(args) ? Object.keys(args) : [])
  const single = wantsSingleObject(context)
  const readOnly = readOnlyRequest || fn.volatility !== 'v'
  const argument = match.mode === 'whole-body' ? JSON.stringify(args) : JSON.stringify(args ?? {})

  const row = await context.db.withRole(context.auth, async (tx: Queryable) => {
    if (readOnly) await tx.query('set transaction read only')
    const result = await tx.query<{ body: string | null; n: number }>(
      call,
      match.mode === 'none' ? [] : [argument],
    )
    return result.rows[0]
  })
  if (fn.returnsVoid) return { status: 204 }
  if (fn.returnsSet) {
    const count = row?.n ?? 0
    if (single) {
      if (count !== 1) throw notSingleObject(count)
      const array = JSON.parse(row?.body ?? '[]') as unknown[]
      return { status: 200, body: JSON.stringify(array[0]) }
    }
    return {
      status: 200,
      body: row?.body ?? '[]',
      headers: { 'content-range': count === 0 ? '*/*' : `0-${count - 1}/*` },
    }
  }
  return { status: 200, body: row?.body ?? 'null' }
}

type CallMode = 'named' | 'whole-body' | 'none'

/** Picks the overload whose named parameters fit the argument names (PostgREST's rule). */
function findFunction(
  candidates: FunctionInfo[],
  args: unknown,
): { fn: FunctionInfo; mode: CallMode } | 'ambiguous' | undefined {
  const keys = isRecord(args) ? Object.keys(args) : undefined
  const fits: { fn: FunctionInfo; mode: CallMode }[] = []
  for (const fn of candidates) {
    const { parameters } = fn
    const only = parameters[0]
    if (
      parameters.length === 1 &&
      only?.name === '' &&
      (only.type === 'json' || only.type === 'jsonb')
    ) {
      fits.push({ fn, mode: 'whole-body' })
      continue
    }
    if (keys === undefined) continue
    if (parameters.some((p) => p.name === '')) continue
    const names = new Set(parameters.map((p) => p.name))
    if (!keys.every((k) => names.has(k))) continue
    if (!parameters.every((p) => p.hasDefault || keys.includes(p.name))) continue
    fits.push({ fn, mode: keys.length === 0 ? 'none' : 'named' })
  }
  if (fits.length > 1) {
    // A named match beats the single-json fallback, as in PostgREST.
    const named = fits.filter((f) => f.mode !== 'whole-body')
    if (named.length === 1) return named[0]
    return 'ambiguous'
  }
  return fits[0]
}

function buildCall(fn: FunctionInfo, mode: CallMode, keys: string[]): string {
  const target = `${quoteIdent(fn.schema)}.${quoteIdent(fn.name)}`
  let from: string
  if (mode === 'none') from = `${target}() as _r`
  else if (mode === 'whole-body') {
    const type = fn.parameters[0]?.type === 'jsonb' ? 'jsonb' : 'json'
    from = `${target}($1::text::${type}) as _r`
  } else {
    // Only the parameters the call names; the rest take their defaults.
    const used = fn.parameters.filter((p) => keys.includes(p.name))
    const definitions = used.map((p) => `${quoteIdent(p.name)} ${p.type}`).join(', ')
    const bindings = used.map((p) => `${quoteIdent(p.name)} => _a.${quoteIdent(p.name)}`)
    from = `json_to_record($1::text::json) as _a(${definitions}) cross join lateral ${target}(${bindings.join(', ')}) as _r`
  }
  return shape(fn, from)
}

function shape(fn: FunctionInfo, from: string): string {
  if (fn.returnsVoid) return `select null::text as body, 1 as n from ${from}`
  if (fn.returnsSet)
    return `select coalesce(json_agg(_r), '[]')::text as body, count(*)::int as n from ${from}`
  return `select to_json(_r)::text as body, 1 as n from ${from}`
}

function queryArguments(url: URL): Record<string, string> {
  const args: Record<string, string> = {}
  for (const [key, value] of url.searchParams) if (!NOT_ARGUMENTS.has(key)) args[key] = value
  return args
}

async function notFound(
  context: RestContext,
  name: string,
  args: unknown,
): Promise<PostgrestError> {
  const keys = isRecord(args) ? Object.keys(args).sort() : []
  const signature = `${context.schema}.${name}(${keys.join(', ')})`
  const candidates = await context.cache.functions(context.schema, name)
  const hint =
    candidates.length > 0
      ? `Perhaps you meant to call the function ${context.schema}.${name}(${candidates[0]?.parameters.map((p) => p.name).join(', ')})`
      : null
  return new PostgrestError(
    'PGRST202',
    404,
    `Could not find the function ${signature} in the schema cache`,
    `No function ${context.schema}.${name} takes exactly the named arguments given (${keys.join(', ') || 'none'})`,
    hint,
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
