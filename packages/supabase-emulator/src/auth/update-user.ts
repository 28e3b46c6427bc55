// `PUT /user` (SUPABASE-PROTOCOL-2 §3.5), what `auth.updateUser(…)` calls: merges `data` into the
// user metadata and changes the password or the address, with GoTrue's refusals.
import type { EmulatorRequest } from '../http/emulator-request.js'
import type { AuthContext } from './auth-context.js'
import { optionalData, optionalString, readJsonObject } from './auth-body.js'
import { AuthError } from './auth-error.js'
import { normalizeEmail } from './email-address.js'
import { hashPassword, verifyPassword } from './password-hash.js'
import { checkPasswordPolicy } from './password-policy.js'
import type { AuthUser, StoredUser } from './user-row.js'

/**
 * Applies the update of the signed-in `current` user and returns the user as stored. Refuses
 * `app_metadata` (403 `not_admin`), a weak password (422 `weak_password`), the current password
 * (422 `same_password`), a password for an anonymous user without an address (422
 * `validation_failed`) and an address another user has (422 `email_exists`). A new address takes
 * effect at once, as GoTrue does with confirmations off; the emulator sends no e-mail-change mail.
 */
export async function updateUser(
  ctx: AuthContext,
  request: EmulatorRequest,
  current: StoredUser,
): Promise<AuthUser> {
  const body = await readJsonObject(request)
  if (body.app_metadata !== undefined && body.app_metadata !== null) {
    throw new AuthError('not_admin', 403, 'Updating app_metadata requires admin privileges')
  }
  if (optionalString(body, 'phone')) {
    throw new AuthError('validation_failed', 422, 'Phone numbers are not supported by the emulator')
  }
  const rawEmail = optionalString(body, 'email')
  const password = optionalString(body, 'password')
  let email = rawEmail === undefined ? undefined : normalizeEmail(rawEmail)
  if (email === current.user.email) email = undefined

  let passwordHash: string | undefined
  if (password !== undefined) {
    if (current.user.is_anonymous && current.user.email === '' && email === undefined) {
      throw new AuthError(
        'validation_failed',
        422,
        'Updating password of an anonymous user without an email or phone is not allowed',
      )
    }
    checkPasswordPolicy(password)
    if (current.passwordHash && (await verifyPassword(password, current.passwordHash))) {
      throw new AuthError(
        'same_password',
        422,
        'New password should be different from the old password.',
      )
    }
    passwordHash = await hashPassword(password)
  }
  return ctx.store.updateUser(current.user.id, {
    email,
    passwordHash,
    userMetadata: optionalData(body),
  })
}
