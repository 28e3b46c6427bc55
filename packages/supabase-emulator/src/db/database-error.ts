// One error type for both drivers, so callers (PostgREST's error mapping, the RLS tests) read
// SQLSTATE, detail and hint the same way whether PGlite or node-postgres raised them.

/** Fields Postgres reports with an error; `code` is the five-character SQLSTATE. */
export interface PostgresErrorFields {
  code: string
  message: string
  detail?: string
  hint?: string
  /** Schema, table, column and constraint names, when Postgres names them. */
  schema?: string
  table?: string
  column?: string
  constraint?: string
}

/** An error raised by Postgres (SQLSTATE in `code`), rethrown by {@link Database} methods. */
export class DatabaseError extends Error implements PostgresErrorFields {
  override readonly name = 'DatabaseError'
  readonly code: string
  readonly detail?: string
  readonly hint?: string
  readonly schema?: string
  readonly table?: string
  readonly column?: string
  readonly constraint?: string

  constructor(fields: PostgresErrorFields, options?: { cause?: unknown }) {
    super(fields.message, options)
    this.code = fields.code
    if (fields.detail !== undefined) this.detail = fields.detail
    if (fields.hint !== undefined) this.hint = fields.hint
    if (fields.schema !== undefined) this.schema = fields.schema
    if (fields.table !== undefined) this.table = fields.table
    if (fields.column !== undefined) this.column = fields.column
    if (fields.constraint !== undefined) this.constraint = fields.constraint
  }
}

/** Type guard for {@link DatabaseError}. */
export function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof DatabaseError
}

/**
 * Converts a driver error (PGlite's or node-postgres' `DatabaseError`, both carrying a SQLSTATE
 * `code`) into a {@link DatabaseError}; anything else (a JS bug, a closed socket) is returned as is.
 */
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof DatabaseError) return error
  if (typeof error !== 'object' || error === null) return error
  const record = error as Record<string, unknown>
  const code = record.code
  const message = record.message
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || typeof message !== 'string') {
    return error
  }
  const fields: PostgresErrorFields = { code, message }
  for (const key of ['detail', 'hint', 'schema', 'table', 'column', 'constraint'] as const) {
    const value = record[key]
    if (typeof value === 'string' && value !== '') fields[key] = value
  }
  return new DatabaseError(fields, { cause: error })
}
