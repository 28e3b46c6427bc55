// Builds the engine bench page (bench/browser) on its own, apart from the e2e harness. Packages
// resolve from src/ through the `source` condition. The preview server sends COOP/COEP so the page
// and its workers are cross-origin isolated: 5 µs timers instead of 100 µs.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, defaultClientConditions } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

/** Headers that make the page cross-origin isolated. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cache-Control': 'no-cache',
}

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: {
    outDir: join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // The engine bench (index.html), the devices bench (devices.html), the trust bench.
    rollupOptions: {
      input: {
        index: join(root, 'index.html'),
        devices: join(root, 'devices.html'),
        trust: join(root, 'trust.html'),
      },
    },
  },
  preview: { headers: ISOLATION_HEADERS },
})
