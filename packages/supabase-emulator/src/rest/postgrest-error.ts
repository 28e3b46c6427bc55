// PostgREST's error answer `{code, details, hint, message}` and its SQLSTATE → HTTP status table
// (SUPABASE-PROTOCOL §2.4).
import { isDatabaseError } from '../db/database.js'

/** A refused PostgREST request; `code` is a SQLSTATE or a `PGRSTxxx` code. */
export class PostgrestError extends Error {
  override readonly name = 'PostgrestError'
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
  ) {
    super(message)
  }

  /** The JSON body PostgREST sends. */
  toJSON(): { code: string; details: string | null; hint: string | null; message: string } {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message }
  }
}

/** Type guard for {@link PostgrestError}. */
export function isPostgrestError(error: unknown): error is PostgrestError {
  return error instanceof PostgrestError
}

/**
 * PostgREST's `mapSQLtoHTTP`: the HTTP status for a SQLSTATE raised while serving a request.
 * `anonymous` selects 401 over 403 for `42501` (the caller could sign in and retry).
 */
export function statusForSqlState(code: string, anonymous: boolean, message = ''): number {
  if (code === '42501') return anonymous ? 401 : 403
  if (code === 'P0001') return 400
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2))
  if (code.startsWith('P0')) return 500
  if (code === '23503' || code === '23505') return 409
  if (code === '25006') return 405
  if (code === '42883' || code === '42P01') return 404
  if (code === '42P17') return 500
  if (code === '22023') return /^role .* does not exist$/.test(message) ? 401 : 400
  if (code === '57P01') return 503
  if (code === '53400') return 500
  if (code.startsWith('53') || code.startsWith('08')) return 503
  if (code.startsWith('0L') || code.startsWith('0P') || code.startsWith('28')) return 403
  if (code === '21000') return 500
  const serverClasses = [
    '09',
    '25',
    '2D',
    '38',
    '39',
    '3B',
    '40',
    '54',
    '55',
    '57',
    '58',
    'F0',
    'HV',
    'XX',
  ]
  if (serverClasses.some((prefix) => code.startsWith(prefix))) return 500
  return 400
}

/**
 * Converts what a request threw into a {@link PostgrestError}: Postgres errors keep their
 * SQLSTATE, detail and hint; anything else becomes `undefined` (the emulator's own bug).
 */
export function toPostgrestError(error: unknown, anonymous: boolean): PostgrestError | undefined {
  if (isPostgrestError(error)) return error
  if (!isDatabaseError(error)) return undefined
  return new PostgrestError(
    error.code,
    statusForSqlState(error.code, anonymous, error.message),
    error.message,
    error.detail ?? null,
    error.hint ?? null,
  )
}
