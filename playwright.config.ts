// Playwright end-to-end suites (`*.spec.ts` under `apps/*/e2e/` and `tests/e2e/`). Playwright
// cannot download its own browser here, so it drives the system Chromium through executablePath.
import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs'

const executablePath = findChromium()

/** Port of the built browser-test harness (tests/e2e/harness). */
export const HARNESS_PORT = 4317
/** Port of the Supabase emulator the browser suites sync through (in-memory database). */
export const E2E_SUPABASE_PORT = 54330
const harnessConfig = 'tests/e2e/harness/vite.config.ts'

/** Ports of the chat app's e2e suite (apps/chat/e2e): its own emulator, and the built app. */
export const CHAT_SUPABASE_PORT = 54371
export const CHAT_APP_PORT = 4371
const chatConfig = 'apps/chat/vite.config.ts'

/** Ports of the consumer test (tests/consumer): the app built from the packed tarballs, its emulator. */
export const CONSUMER_SUPABASE_PORT = 54381
export const CONSUMER_APP_PORT = 4381

export default defineConfig({
  testMatch: ['apps/*/e2e/**/*.spec.ts', 'tests/e2e/**/*.spec.ts', 'tests/consumer/*.spec.ts'],
  timeout: 60_000,
  // Assertions poll up to 15 s: a 2-core CI machine running the emulator, two preview servers and
  // several browser contexts is slow at times, and a live UI update is allowed to take a moment.
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: process.env.CI ? 'list' : 'line',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS },
  },
  webServer: [
    {
      command: `npx vite build --config ${harnessConfig} --logLevel warn && npx vite preview --config ${harnessConfig} --host 127.0.0.1 --port ${HARNESS_PORT} --strictPort`,
      url: `http://127.0.0.1:${HARNESS_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `node packages/supabase-emulator/bin/parley-supabase.mjs start --port ${E2E_SUPABASE_PORT}`,
      url: `http://127.0.0.1:${E2E_SUPABASE_PORT}/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // The chat app's own in-memory emulator (its suite never shares server state with others).
      command: `node packages/supabase-emulator/bin/parley-supabase.mjs start --port ${CHAT_SUPABASE_PORT}`,
      url: `http://127.0.0.1:${CHAT_SUPABASE_PORT}/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // The chat app, built (service worker included) against that emulator, then served.
      command: `npx vite build --config ${chatConfig} --logLevel warn && npx vite preview --config ${chatConfig} --outDir dist/e2e --port ${CHAT_APP_PORT} --strictPort`,
      url: `http://127.0.0.1:${CHAT_APP_PORT}/`,
      env: {
        PARLEY_CHAT_OUT_DIR: 'dist/e2e',
        VITE_SUPABASE_URL: `http://127.0.0.1:${CHAT_SUPABASE_PORT}`,
      },
      reuseExistingServer: !process.env.CI,
      timeout: 90_000,
    },
    {
      // The consumer app's emulator, from the installed tarball, in the app's folder after
      // `parley-supabase init` (what a user does).
      command: `node scripts/consumer.mjs emulator --port ${CONSUMER_SUPABASE_PORT}`,
      url: `http://127.0.0.1:${CONSUMER_SUPABASE_PORT}/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 240_000,
    },
    {
      // The consumer app built from the tarballs (`npm test` prepared it in its consumer step).
      command: `node scripts/consumer.mjs serve --port ${CONSUMER_APP_PORT}`,
      url: `http://127.0.0.1:${CONSUMER_APP_PORT}/`,
      env: {
        VITE_SUPABASE_URL: `http://127.0.0.1:${CONSUMER_SUPABASE_PORT}`,
        // The new kind of key (the emulator's, as `supabase start` prints it); the other suites
        // use the legacy anon JWT.
        VITE_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH',
      },
      reuseExistingServer: !process.env.CI,
      timeout: 240_000,
    },
  ],
})
