// One error type for everything the HTTP layer refuses before a handler runs (oversize or
// unreadable bodies), so the server can answer in the shape of the API that was called.

/** Why a request was refused by the HTTP layer. */
export type HttpErrorCode = 'body_too_large' | 'body_unreadable'

/** A request the HTTP layer could not accept; `status` is the HTTP status to answer with. */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly code: HttpErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Type guard for {@link HttpError}. */
export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError
}
