// Why an Edge Function could not start. The gateway answers 503 BOOT_ERROR (as the edge
// runtime does) and logs this error with its cause; the next request tries again.

/** What stopped a function from booting. */
export type FunctionBootErrorCode =
  /** The `deno.json` / import map is missing or not valid JSON(C). */
  | 'import_map_invalid'
  /** The module or one of its imports could not be resolved or compiled. */
  | 'bundle_failed'
  /** Evaluating the module threw. */
  | 'module_failed'
  /** The module neither called `Deno.serve` nor exported a default `{ fetch }`. */
  | 'no_handler'

/** An Edge Function that failed to boot. */
export class FunctionBootError extends Error {
  override readonly name = 'FunctionBootError'
  constructor(
    readonly code: FunctionBootErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Type guard for {@link FunctionBootError}. */
export function isFunctionBootError(error: unknown): error is FunctionBootError {
  return error instanceof FunctionBootError
}
