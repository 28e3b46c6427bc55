// Builds the browser test harness (tests/e2e). Packages resolve from src/ through the `source`
// condition, exactly as an app in this monorepo would.
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, defaultClientConditions, type Plugin } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const outDir = join(root, 'dist')

/** Writes dist/asset-list.json: every built file, for the service worker to precache. */
function assetList(): Plugin {
  return {
    name: 'parley-asset-list',
    apply: 'build',
    closeBundle() {
      const files: string[] = []
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name)
          if (statSync(path).isDirectory()) walk(path)
          else files.push('./' + relative(outDir, path).split('\\').join('/'))
        }
      }
      walk(outDir)
      writeFileSync(
        join(outDir, 'asset-list.json'),
        JSON.stringify(files.filter((f) => f !== './sw.js')),
      )
    },
  }
}

export default defineConfig({
  root,
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: { outDir, emptyOutDir: true, target: 'es2022' },
  plugins: [assetList()],
})
