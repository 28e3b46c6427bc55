// E-mail address checks shared by sign-up, OTP and user updates (SUPABASE-PROTOCOL-2 §3.1): GoTrue
// lower-cases addresses and accepts what its HTML5-style pattern accepts, so the emulator refuses
// exactly the addresses Supabase would.
import { AuthError } from './auth-error.js'

// GoTrue's `emailRegexp` (internal/api/mail.go); a dot in the domain is not required.
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const MAX_EMAIL_LENGTH = 255

/**
 * Validates and lower-cases an address. Throws {@link AuthError} `validation_failed` (400) for a
 * malformed or over-long address.
 */
export function normalizeEmail(email: string): string {
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new AuthError('validation_failed', 400, 'An email address is too long')
  }
  if (!EMAIL_PATTERN.test(email)) {
    throw new AuthError(
      'validation_failed',
      400,
      'Unable to validate email address: invalid format',
    )
  }
  return email.toLowerCase()
}
