// The password rules GoTrue applies on sign-up and `PUT /user` (SUPABASE-PROTOCOL-2 §3.1): bcrypt's
// 72-byte ceiling and `[auth] minimum_password_length` (6 in the CLI's config).
import { AuthError } from './auth-error.js'

/** `[auth] minimum_password_length` of the CLI's config. */
export const MIN_PASSWORD_LENGTH = 6

/** GoTrue hashes with bcrypt, which ignores bytes past 72, so it refuses longer passwords. */
export const MAX_PASSWORD_LENGTH = 72

/**
 * Throws {@link AuthError}: `validation_failed` (400) past {@link MAX_PASSWORD_LENGTH} characters,
 * `weak_password` (422, with `weak_password.reasons`) under {@link MIN_PASSWORD_LENGTH}.
 */
export function checkPasswordPolicy(password: string): void {
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AuthError(
      'validation_failed',
      400,
      `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`,
    )
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AuthError(
      'weak_password',
      422,
      `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`,
      { weak_password: { reasons: ['length'] } },
    )
  }
}
