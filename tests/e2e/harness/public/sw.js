/* global self, caches, fetch, location */
// Harness service worker: precaches the built files listed in asset-list.json, then serves
// network-first with the cache as fallback, so a reload with the network off still opens.
// ignoreVary: the preview server answers with `Vary: Origin`, and module scripts are fetched with
// an Origin header that the precache requests did not have.
const CACHE = 'parley-harness-v1'

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      const list = await (await fetch('./asset-list.json', { cache: 'no-store' })).json()
      await cache.addAll(['./', ...list])
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET' || new URL(request.url).origin !== location.origin) return
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request)
        if (response.ok) (await caches.open(CACHE)).put(request, response.clone())
        return response
      } catch (error) {
        const cached = await caches.match(request, { ignoreSearch: true, ignoreVary: true })
        if (cached) return cached
        throw error
      }
    })(),
  )
})
