// How a row of `auth.users` becomes GoTrue's user JSON (SUPABASE-PROTOCOL §3.3, -2 §3.1). Every
// query that returns a user selects {@link USER_JSON} and parses it with {@link parseUser}, so the
// shape is decided in one place.
import { createHash } from 'node:crypto'

/** A user as GoTrue returns it (the subset Parley's emulator fills). */
export interface AuthUser {
  id: string
  aud: string
  role: string
  email: string
  phone: string
  email_confirmed_at?: string
  confirmed_at?: string
  confirmation_sent_at?: string
  recovery_sent_at?: string
  last_sign_in_at?: string
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  identities: UserIdentity[]
  created_at: string
  updated_at: string
  is_anonymous: boolean
}

/** One linked login method of a user; the emulator only has the `email` provider. */
export interface UserIdentity {
  identity_id: string
  /** The provider's id for the user: the user id itself for `email`. */
  id: string
  user_id: string
  identity_data: Record<string, unknown>
  provider: string
  email: string
  last_sign_in_at?: string
  created_at: string
  updated_at: string
}

/** A user together with its password hash, for sign-in. */
export interface StoredUser {
  user: AuthUser
  passwordHash: string | null
}

/** SQL select-list item turning the row `u` of `auth.users` into `user_json` text. */
export const USER_JSON = `json_build_object(
  'id', u.id, 'aud', u.aud, 'role', u.role, 'email', coalesce(u.email, ''),
  'phone', coalesce(u.phone, ''), 'email_confirmed_at', u.email_confirmed_at,
  'confirmation_sent_at', u.confirmation_sent_at, 'recovery_sent_at', u.recovery_sent_at,
  'last_sign_in_at', u.last_sign_in_at, 'app_metadata', coalesce(u.raw_app_meta_data, '{}'),
  'user_metadata', coalesce(u.raw_user_meta_data, '{}'), 'created_at', u.created_at,
  'updated_at', u.updated_at, 'is_anonymous', coalesce(u.is_anonymous, false),
  'password_hash', u.encrypted_password)::text as user_json`

const OPTIONAL_TIMESTAMPS = [
  'email_confirmed_at',
  'confirmation_sent_at',
  'recovery_sent_at',
  'last_sign_in_at',
] as const

/** Parses a {@link USER_JSON} value. */
export function parseUser(json: string | undefined): StoredUser {
  if (json === undefined) throw new Error('auth.users query returned no row')
  const raw = JSON.parse(json) as Record<string, unknown> & { password_hash: string | null }
  const { password_hash: passwordHash, ...fields } = raw
  const user = fields as unknown as AuthUser
  // GoTrue omits empty optional timestamps rather than sending null.
  for (const key of OPTIONAL_TIMESTAMPS) if (user[key] == null) delete user[key]
  if (user.email_confirmed_at !== undefined) user.confirmed_at = user.email_confirmed_at
  user.identities = emailIdentities(user)
  return { user, passwordHash }
}

/**
 * The `email` identity GoTrue keeps in `auth.identities` for a user with an address. The emulator
 * has no such table (nothing in Parley reads it), so the identity is derived from the user row,
 * with an `identity_id` that is stable for the user.
 */
function emailIdentities(user: AuthUser): UserIdentity[] {
  if (user.email === '') return []
  const identity: UserIdentity = {
    identity_id: stableUuid(`email-identity:${user.id}`),
    id: user.id,
    user_id: user.id,
    identity_data: {
      email: user.email,
      email_verified: user.email_confirmed_at !== undefined,
      phone_verified: false,
      sub: user.id,
    },
    provider: 'email',
    email: user.email,
    created_at: user.created_at,
    updated_at: user.updated_at,
  }
  if (user.last_sign_in_at !== undefined) identity.last_sign_in_at = user.last_sign_in_at
  return [identity]
}

/** A name-based UUID (version 5 layout over SHA-1), the same for the same name. */
function stableUuid(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
