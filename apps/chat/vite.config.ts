// Builds the demo PWA. Workspace packages resolve from src/ through the `source` condition (no
// package build needed), the engine's worker is bundled as an ES module worker, and
// vite-plugin-pwa writes the web app manifest and injects the precache list into src/sw.ts.
//
// Environment (read at build time, see docs/APP.md):
//   VITE_SUPABASE_URL       default: the page's host on port 54321 (the local emulator)
//   VITE_SUPABASE_ANON_KEY  default: the Supabase CLI's local anon key
//   PARLEY_CHAT_OUT_DIR     default: dist/app (the e2e suite builds into dist/e2e)
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  // Relative URLs: the built app works from any path (hash routing keeps every route on index.html).
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    outDir: process.env.PARLEY_CHAT_OUT_DIR ?? 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // main.tsx registers the service worker itself, after the app has painted.
      injectRegister: false,
      includeAssets: ['favicon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        id: './',
        name: 'Parley Chat',
        short_name: 'Parley',
        description: 'Offline-first chat: works without a network, syncs across tabs and devices.',
        start_url: './',
        scope: './',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#3357d6',
        background_color: '#f6f7fb',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: 'icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      injectManifest: {
        // Everything the app needs offline, the engine's worker bundles included.
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
})
