// Where the `/verify` link sends the browser (SUPABASE-PROTOCOL-2 §3.4): `redirect_to` with the
// implicit-flow session in the fragment, in the exact form auth-js' `detectSessionInUrl` parses
// (`access_token`, `expires_in`, `refresh_token` and `token_type` are required), or the error in
// fragment and query.
import type { AuthError } from './auth-error.js'
import type { SessionResponse } from './issue-session.js'

/**
 * The redirect target: `redirect_to` when it is an absolute http(s) URL, else the site URL.
 * GoTrue also requires it to match `[auth] additional_redirect_urls`; the emulator accepts any,
 * since it only ever redirects the developer's own browser.
 */
export function redirectTarget(raw: string | null | undefined, siteUrl: string): string {
  if (raw) {
    try {
      const url = new URL(raw)
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString()
    } catch {
      // Not a URL: fall back to the site URL, as GoTrue does for a disallowed one.
    }
  }
  return siteUrl
}

/** `redirectTo#access_token=…&expires_at=…&expires_in=…&refresh_token=…&token_type=bearer&type=…`. */
export function sessionRedirectUrl(
  redirectTo: string,
  session: SessionResponse,
  type: string,
): string {
  const url = new URL(redirectTo)
  // GoTrue encodes with Go's url.Values, which sorts the keys; this list is already sorted.
  const fragment = new URLSearchParams({
    access_token: session.access_token,
    expires_at: String(session.expires_at),
    expires_in: String(session.expires_in),
    refresh_token: session.refresh_token,
    token_type: session.token_type,
    type,
  })
  url.hash = fragment.toString()
  return url.toString()
}

/** `redirectTo?error=…&error_code=…&error_description=…#` the same three, as GoTrue sends both. */
export function errorRedirectUrl(redirectTo: string, error: AuthError): string {
  const url = new URL(redirectTo)
  const params = {
    error:
      error.status === 403
        ? 'access_denied'
        : error.status >= 500
          ? 'server_error'
          : 'invalid_request',
    error_code: error.code,
    error_description:
      error.code === 'otp_expired' ? 'Email link is invalid or has expired' : error.message,
  }
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  url.hash = new URLSearchParams(params).toString()
  return url.toString()
}
