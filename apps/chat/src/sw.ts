// The app's service worker. vite-plugin-pwa (injectManifest) replaces `self.__WB_MANIFEST` with
// every built file — the page, its scripts and styles, the engine's worker bundles, the icons
// and the web app manifest — so one visit is enough for the app to open with no network.
//
// Strategy: built files are served from the precache (their names carry a content hash);
// navigations go to the network first so a new deployment shows on reload, and fall back to the
// cached page when the network is down or too slow.

// A module, so that `self` below is this file's own declaration.
export {}

interface PrecacheEntry {
  url: string
  revision: string | null
}

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: PrecacheEntry[] }

const MANIFEST = self.__WB_MANIFEST
const PREFIX = 'parley-chat-'
const CACHE = PREFIX + fingerprint(JSON.stringify(MANIFEST))
/** How long a navigation waits for the network before the cached page is used. */
const NAVIGATION_TIMEOUT_MS = 3000

const precached = new Set(MANIFEST.map((entry) => new URL(entry.url, self.location.href).href))
const shellUrl = new URL('./index.html', self.location.href).href

/** A short, stable hash (FNV-1a) naming this deployment's cache. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(36)
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      // `reload` skips the HTTP cache, so the precache never stores a stale copy.
      await cache.addAll([...precached].map((url) => new Request(url, { cache: 'reload' })))
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name)
      }
      await self.clients.claim()
    })(),
  )
})

/**
 * Looks a request up in the precache. `ignoreVary`: servers answer with `Vary: Origin`, and
 * module scripts (the app and its workers) are requested with an `Origin` header that the
 * install-time requests did not carry, so a strict match would miss them.
 */
async function fromPrecache(url: string): Promise<Response | undefined> {
  const cache = await caches.open(CACHE)
  return cache.match(url, { ignoreVary: true, ignoreSearch: true })
}

async function navigate(request: Request): Promise<Response> {
  const timeout = new Promise<undefined>((resolve) =>
    setTimeout(() => resolve(undefined), NAVIGATION_TIMEOUT_MS),
  )
  try {
    const response = await Promise.race([fetch(request), timeout])
    if (response !== undefined) return response
  } catch (error) {
    // Offline: fall through to the cached app shell (the routes live in the URL hash).
    const cached = await fromPrecache(shellUrl)
    if (cached !== undefined) return cached
    throw error
  }
  return (await fromPrecache(shellUrl)) ?? fetch(request)
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request))
    return
  }
  url.search = ''
  url.hash = ''
  if (!precached.has(url.href)) return
  event.respondWith(fromPrecache(url.href).then((cached) => cached ?? fetch(request)))
})
