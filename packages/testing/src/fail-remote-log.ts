// The one way the memory server rejects a call: a RemoteLogError shaped like the one the Supabase
// RemoteLog builds from a PostgREST error, so engine tests see the same codes and details.
import { RemoteLogError, type RemoteLogErrorCode } from '@parley/core/ports'

/**
 * Throws a {@link RemoteLogError} for `operation`, with the server's error code (`PARLEY_…` or a
 * Postgres SQLSTATE) and details when given.
 */
export function failRemoteLog(
  code: RemoteLogErrorCode,
  message: string,
  operation: string,
  serverCode?: string,
  details?: Record<string, unknown>,
): never {
  throw new RemoteLogError(code, `${operation}: ${message}`, {
    operation,
    ...(serverCode !== undefined && { serverCode }),
    ...(details !== undefined && { details }),
  })
}
