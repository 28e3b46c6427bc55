// An app as its developers would write it: Vite + React, Parley's engine in a module worker, and
// an offline app shell from vite-plugin-pwa (Workbox generateSW) that also precaches the
// engine's worker bundle, so a reload without a network starts the engine too.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

// https://vite.dev/config/
export default defineConfig({
  // The engine's worker is an ES module (`{ type: 'module' }` in main.tsx).
  worker: { format: 'es' },
  plugins: [
    react(),
    VitePWA({
      // main.tsx registers the service worker through `virtual:pwa-register`.
      injectRegister: false,
      registerType: 'autoUpdate',
      manifest: false,
      workbox: {
        // Vite emits the worker bundle as assets/parley.worker-<hash>.js: `**/*.js` covers it.
        globPatterns: ['**/*.{js,css,html,svg,png,ico}'],
        navigateFallback: 'index.html',
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // Take control of the open page at once, so the first visit already works offline.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
})
