// `npm test`: the whole suite in one command — typecheck, lint, format check, every Vitest
// project (Node and real Chromium), the packed packages in a consumer app, and the Playwright
// end-to-end suites.
import { spawnSync } from 'node:child_process'
import { ensureChromium } from './ensure-chromium.mjs'

const steps = [
  ['typecheck', 'npx', ['tsc', '-b']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
  ['format', 'npx', ['prettier', '--check', '.', '--log-level=warn']],
  ['vitest', 'npx', ['vitest', 'run', '--config', 'vitest.workspace.ts']],
  // The packages as an app installs them: build, npm pack, install into a Vite + React app
  // outside the workspace, tsc -b and vite build there (scripts/consumer.mjs).
  ['consumer', 'node', ['scripts/consumer.mjs']],
  ['playwright', 'npx', ['playwright', 'test', '--pass-with-no-tests']],
]

ensureChromium()
const only = process.argv.slice(2)
for (const [name, cmd, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue
  const started = Date.now()
  console.log(`\n[parley] ▶ ${name}: ${cmd} ${args.join(' ')}`)
  const result = spawnSync(cmd, args, { stdio: 'inherit' })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    console.error(
      `[parley] ✖ ${name} failed after ${seconds}s (exit ${result.status ?? result.signal})`,
    )
    process.exit(result.status ?? 1)
  }
  console.log(`[parley] ✔ ${name} (${seconds}s)`)
}
