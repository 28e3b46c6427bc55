// Playwright end-to-end suites (`*.spec.ts` under `apps/*/e2e/` and `tests/e2e/`). Playwright
// cannot download its own browser here, so it drives the system Chromium through executablePath.
import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs'

const executablePath = findChromium()

export default defineConfig({
  testMatch: ['apps/*/e2e/**/*.spec.ts', 'tests/e2e/**/*.spec.ts'],
  timeout: 60_000,
  workers: 1,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS },
  },
})
