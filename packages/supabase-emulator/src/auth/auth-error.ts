// GoTrue's error answers (SUPABASE-PROTOCOL §3.5): a machine `code`, a message and a status.

/** The GoTrue error codes the emulator can answer with. */
export type AuthErrorCode =
  | 'validation_failed'
  | 'bad_json'
  | 'anonymous_provider_disabled'
  | 'signup_disabled'
  | 'user_already_exists'
  | 'email_exists'
  | 'weak_password'
  | 'same_password'
  | 'email_address_invalid'
  | 'invalid_credentials'
  | 'email_not_confirmed'
  | 'otp_disabled'
  | 'otp_expired'
  | 'over_email_send_rate_limit'
  | 'refresh_token_not_found'
  | 'refresh_token_already_used'
  | 'session_not_found'
  | 'user_not_found'
  | 'bad_jwt'
  | 'no_authorization'
  | 'not_admin'
  | 'unsupported_grant_type'
  | 'not_found'
  | 'request_too_large'
  | 'unexpected_failure'

/** A refused Auth request; serialised by {@link authErrorBody}. */
export class AuthError extends Error {
  override readonly name = 'AuthError'
  constructor(
    readonly code: AuthErrorCode,
    readonly status: number,
    message: string,
    /** Extra top-level fields of the answer (e.g. `weak_password`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/** Type guard for {@link AuthError}. */
export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError
}

/**
 * The JSON body GoTrue sends. With `X-Supabase-Api-Version` (auth-js always sends it) the shape
 * is `{code, message}`; without it the legacy `{code: <status>, error_code, msg}`.
 */
export function authErrorBody(error: AuthError, versioned: boolean): Record<string, unknown> {
  return versioned
    ? { code: error.code, message: error.message, ...error.extra }
    : { code: error.status, error_code: error.code, msg: error.message, ...error.extra }
}
