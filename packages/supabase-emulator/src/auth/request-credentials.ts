// Who is calling: the token a request carries, found the way Supabase's gateway finds it
// (`Authorization: Bearer …` first, then the `apikey` header or query parameter).
import type { IncomingMessage } from 'node:http'
import { resolveApiKey, type ApiKeys } from './api-keys.js'

/** Tokens found on a request, with `sb_…` keys already swapped for their JWTs. */
export interface RequestCredentials {
  /** The `apikey` header, else the `apikey` query parameter. */
  apiKey: string | undefined
  /** The Bearer token of `Authorization`, if any. */
  bearer: string | undefined
  /** What the services act on: the Bearer token, else the API key. */
  token: string | undefined
}

/** Extracts the credentials of a request. */
export function readRequestCredentials(
  req: IncomingMessage,
  url: URL,
  keys: ApiKeys,
): RequestCredentials {
  const header = req.headers.apikey
  const rawApiKey = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey')
  const apiKey = rawApiKey ? resolveApiKey(keys, rawApiKey.trim()) : undefined
  const authorization = req.headers.authorization
  const match = authorization ? /^bearer\s+(.+)$/i.exec(authorization.trim()) : null
  const bearer = match?.[1] ? resolveApiKey(keys, match[1].trim()) : undefined
  return { apiKey, bearer, token: bearer ?? apiKey }
}
