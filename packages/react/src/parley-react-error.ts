// Errors of the React bindings themselves. Errors of the engine (StorageError, HostError, …)
// reach hooks unchanged; only a rejection that is not an Error at all is wrapped here.

/** Why a Parley hook failed. */
export type ParleyReactErrorCode =
  /** A Parley hook ran outside a `ParleyProvider`. */
  | 'missing-provider'
  /** The client rejected with something that is not an `Error`; the value is in `cause`. */
  | 'non-error-rejection'

/** An error of `@parley/react`. */
export class ParleyReactError extends Error {
  override readonly name = 'ParleyReactError'
  constructor(
    readonly code: ParleyReactErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Whether `value` is a {@link ParleyReactError}. */
export function isParleyReactError(value: unknown): value is ParleyReactError {
  return (
    value instanceof ParleyReactError ||
    (value instanceof Error && value.name === 'ParleyReactError' && 'code' in value)
  )
}

/** `reason` as an `Error`, so hooks expose one error type. @internal */
export function toError(reason: unknown): Error {
  if (reason instanceof Error) return reason
  return new ParleyReactError('non-error-rejection', `Parley client rejected: ${String(reason)}`, {
    cause: reason,
  })
}
