// Reading GoTrue request bodies: one JSON object whose fields are checked one by one, each bad
// field answered with GoTrue's codes (`bad_json`, `validation_failed`).
import type { EmulatorRequest } from '../http/emulator-request.js'
import { AuthError } from './auth-error.js'

/** Reads the body as a JSON object; an empty body is `{}`. Throws `bad_json` (400). */
export async function readJsonObject(request: EmulatorRequest): Promise<Record<string, unknown>> {
  const raw = await request.body()
  if (raw.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new AuthError(
      'bad_json',
      400,
      `Could not parse request body as JSON: ${(error as Error).message}`,
    )
  }
  if (!isRecord(parsed)) throw new AuthError('bad_json', 400, 'Request body must be a JSON object')
  return parsed
}

/**
 * A string field; `undefined` when absent, `null` or empty (GoTrue treats `""` as not given).
 * Throws `validation_failed` (400) for another type.
 */
export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') {
    throw new AuthError('validation_failed', 400, `"${key}" must be a string`)
  }
  return value
}

/** The `data` field (user metadata) when it is an object, else undefined. */
export function optionalData(body: Record<string, unknown>): Record<string, unknown> | undefined {
  return isRecord(body.data) ? body.data : undefined
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
