// The emulator's API keys: the legacy anon/service_role JWTs and the new-style `sb_…` keys, which
// the Supabase gateway swaps for those JWTs before any service sees them (SUPABASE-PROTOCOL §1.5,
// §2.2). Every route resolves keys through here so the swap happens in one place.
import { deriveApiKeys } from './jwt.js'

/** The Supabase CLI's default local publishable key (maps to the anon key). */
export const DEFAULT_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH'

/** The Supabase CLI's default local secret key (maps to the service_role key). */
export const DEFAULT_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz'

/** The keys one emulator accepts. */
export interface ApiKeys {
  /** HS256 JWT with `role: anon`. */
  anonKey: string
  /** HS256 JWT with `role: service_role`. */
  serviceRoleKey: string
  /** `sb_publishable_…`, accepted wherever the anon key is. */
  publishableKey: string
  /** `sb_secret_…`, accepted wherever the service_role key is. */
  secretKey: string
}

/** Derives the keys for a JWT secret; the `sb_…` keys are the CLI's fixed local ones. */
export function createApiKeys(jwtSecret: string): ApiKeys {
  return {
    ...deriveApiKeys(jwtSecret),
    publishableKey: DEFAULT_PUBLISHABLE_KEY,
    secretKey: DEFAULT_SECRET_KEY,
  }
}

/**
 * Swaps an `sb_publishable_…`/`sb_secret_…` key for the JWT it stands for, as the gateway does.
 * Any other string (a JWT, or garbage) is returned unchanged for the caller to verify.
 */
export function resolveApiKey(keys: ApiKeys, token: string): string {
  if (token === keys.publishableKey) return keys.anonKey
  if (token === keys.secretKey) return keys.serviceRoleKey
  return token
}
