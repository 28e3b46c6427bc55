// What every PostgREST operation receives and returns, so the operations stay free of HTTP plumbing.
import type { Database, RequestAuth } from '../db/database.js'
import type { EmulatorRequest } from '../http/emulator-request.js'
import { PostgrestError } from './postgrest-error.js'
import type { SchemaCache } from './schema-cache.js'

/** One request, authenticated and bound to an exposed schema. */
export interface RestContext {
  db: Database
  cache: SchemaCache
  auth: RequestAuth
  /** The schema chosen by `Accept-Profile`/`Content-Profile` (default `public`). */
  schema: string
  request: EmulatorRequest
  /** Rows a read returns at most (PostgREST's `db-max-rows`). */
  maxRows: number
}

/** An answer: a status, and a serialised JSON body unless the status has none. */
export interface RestResult {
  status: number
  body?: string
  contentType?: string
  headers?: Record<string, string>
}

/** The media type that asks for a single object instead of an array. */
export const SINGLE_OBJECT_TYPE = 'application/vnd.pgrst.object+json'

/** Whether the request asks for one object (`.single()` in supabase-js). */
export function wantsSingleObject(context: RestContext): boolean {
  return (context.request.req.headers.accept ?? '').includes(SINGLE_OBJECT_TYPE)
}

/** The PGRST116 refusal of a single-object request that matched `count` rows. */
export function notSingleObject(count: number): PostgrestError {
  return new PostgrestError(
    'PGRST116',
    406,
    'Cannot coerce the result to a single JSON object',
    `The result contains ${count} rows`,
  )
}

/** Parses a JSON request body; empty or invalid JSON → PGRST102 (400). */
export async function readJsonBody(context: RestContext, emptyValue: unknown): Promise<unknown> {
  const raw = await context.request.body()
  const text = raw.toString('utf8')
  if (text.trim() === '') return emptyValue
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new PostgrestError(
      'PGRST102',
      400,
      'Empty or invalid json',
      error instanceof Error ? error.message : null,
    )
  }
}
