// Edge Function failures (supabase-js `functions.invoke`) → RemoteLogError. functions-js answers
// `{ error }` with a FunctionsFetchError (no answer), a FunctionsRelayError (the platform could
// not reach the function) or a FunctionsHttpError whose `context` is the non-2xx Response. A
// Parley function may name a `PARLEY_*` code in its JSON body (`code`, or `error.code`); the
// HTTP status decides otherwise.
import { RemoteLogError, type RemoteLogErrorCode } from '@parley/core/ports'
import { parleyErrorCode } from './map-rpc-error.js'

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** What the body of a failed answer says: a `PARLEY_*` code, a message and details, if any. */
interface FunctionFailureBody {
  serverCode?: string
  message?: string
  details: Record<string, unknown>
}

async function readBody(response: { text?: () => Promise<string> }): Promise<FunctionFailureBody> {
  let parsed: unknown
  try {
    parsed = JSON.parse((await response.text?.()) ?? '')
  } catch {
    // Not JSON (a platform error page) or already read: the status is all there is.
    return { details: {} }
  }
  const top = isObject(parsed) ? parsed : {}
  const nested = isObject(top.error) ? top.error : {}
  const code = [top.code, nested.code, top.hint].find(
    (value): value is string => typeof value === 'string' && value.startsWith('PARLEY_'),
  )
  const message = [top.message, nested.message, top.error].find(
    (value): value is string => typeof value === 'string',
  )
  const details = isObject(top.details)
    ? top.details
    : isObject(nested.details)
      ? nested.details
      : {}
  return {
    ...(code !== undefined && { serverCode: code }),
    ...(message !== undefined && { message }),
    details: Object.fromEntries(Object.entries(details).map(([k, v]) => [camel(k), v])),
  }
}

function codeForStatus(status: number): RemoteLogErrorCode {
  if (status === 401) return 'not-authenticated'
  if (status === 403) return 'forbidden'
  if (status === 429) return 'rate-limited'
  if (status === 413) return 'too-large'
  if (status === 400 || status === 422) return 'invalid'
  if (status >= 500) return 'unavailable'
  // 404 included: the function is not deployed, which no retry fixes.
  return 'unknown'
}

/** Maps the `error` of a failed `functions.invoke` of `operation` to a {@link RemoteLogError}. */
export async function mapFunctionError(operation: string, error: unknown): Promise<RemoteLogError> {
  const name = isObject(error) ? error.name : undefined
  if (name === 'FunctionsFetchError')
    return new RemoteLogError('network', `${operation}: the Edge Function could not be reached`, {
      operation,
      cause: error,
    })
  if (name === 'FunctionsRelayError')
    return new RemoteLogError('unavailable', `${operation}: the Edge Function relay failed`, {
      operation,
      cause: error,
    })
  const context = isObject(error) ? error.context : undefined
  const response = isObject(context) ? context : {}
  const status = typeof response.status === 'number' ? response.status : 0
  if (name !== 'FunctionsHttpError' || status === 0)
    return new RemoteLogError('unknown', `${operation}: ${String(error)}`, {
      operation,
      cause: error,
    })
  const body = await readBody(response as { text?: () => Promise<string> })
  const code =
    (body.serverCode !== undefined ? parleyErrorCode(body.serverCode) : undefined) ??
    codeForStatus(status)
  return new RemoteLogError(
    code,
    `${operation}: ${body.message ?? `the Edge Function answered HTTP ${status}`}`,
    {
      operation,
      cause: error,
      status,
      ...(body.serverCode !== undefined && { serverCode: body.serverCode }),
      details: body.details,
    },
  )
}
