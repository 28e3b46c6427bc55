// Hash routing: every route is served by the one cached index.html, so deep links (including
// invite links) open offline and from any static host.
import { useSyncExternalStore } from 'react'

/** Where the app is. */
export type Route =
  | { readonly kind: 'home' }
  | { readonly kind: 'conversation'; readonly id: string }
  | { readonly kind: 'join'; readonly code: string }

/** Parses a location hash (`#/c/<id>`, `#/join/<code>`, anything else is home). */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '')
  const [head, rest] = [path.split('/')[0], path.split('/').slice(1).join('/')]
  if (head === 'c' && rest !== '') return { kind: 'conversation', id: decodeURIComponent(rest) }
  if (head === 'join' && rest !== '') return { kind: 'join', code: decodeURIComponent(rest) }
  return { kind: 'home' }
}

/** The hash of a route. */
export function routeHash(route: Route): string {
  switch (route.kind) {
    case 'conversation':
      return `#/c/${encodeURIComponent(route.id)}`
    case 'join':
      return `#/join/${encodeURIComponent(route.code)}`
    case 'home':
      return '#/'
  }
}

/** Goes to a route; `replace` keeps the current entry out of the history (e.g. after a join). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const hash = routeHash(route)
  if (options.replace) {
    history.replaceState(null, '', hash)
    // replaceState fires no hashchange; tell the subscribers ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  } else {
    location.hash = hash
  }
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener)
  return () => window.removeEventListener('hashchange', listener)
}

const getHash = (): string => location.hash

/** The current route, live. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash, getHash)
  return parseRoute(hash)
}

/** The link that opens this app on the join screen for an invite code. */
export function joinUrl(code: string): string {
  // Origin and path only: the page's own query (e.g. `?engine=dedicated`) is not the invitee's.
  return `${location.origin}${location.pathname}${routeHash({ kind: 'join', code })}`
}

/** Accepts what people paste into "join": a bare code or a whole invite link. */
export function parseJoinInput(input: string): string | undefined {
  const text = input.trim()
  if (text === '') return undefined
  const hashAt = text.indexOf('#')
  if (hashAt >= 0) {
    const route = parseRoute(text.slice(hashAt))
    return route.kind === 'join' ? route.code : undefined
  }
  const match = /[?&](?:code|join)=([^&#]+)/.exec(text)
  if (match?.[1] !== undefined) return decodeURIComponent(match[1])
  return /^[\w-]+$/.test(text) ? text : undefined
}
