// The chat app's e2e suite alone: `npx playwright test -c apps/chat`. The root config runs the
// same specs with every other suite; this one starts only what the app needs, on ports and a
// build folder of its own, so it can run while a full run is under way.
import { defineConfig } from '@playwright/test'
import root from '../../playwright.config.ts'

const SUPABASE_PORT = 54372
const APP_PORT = 4372
const OUT_DIR = 'dist/e2e-solo'
// Read by e2e/support.ts in the test workers (they inherit this process's environment).
process.env.PARLEY_CHAT_URL = `http://127.0.0.1:${APP_PORT}/`

export default defineConfig({
  ...root,
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/chat',
  webServer: [
    {
      // Playwright runs it in apps/chat; the schema is the repository's supabase/ folder.
      command: `node ../../packages/supabase-emulator/bin/parley-supabase.mjs start --dir ../.. --port ${SUPABASE_PORT}`,
      url: `http://127.0.0.1:${SUPABASE_PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `npx vite build --logLevel warn && npx vite preview --outDir ${OUT_DIR} --port ${APP_PORT} --strictPort`,
      url: `http://127.0.0.1:${APP_PORT}/`,
      env: {
        PARLEY_CHAT_OUT_DIR: OUT_DIR,
        VITE_SUPABASE_URL: `http://127.0.0.1:${SUPABASE_PORT}`,
      },
      reuseExistingServer: false,
      timeout: 90_000,
    },
  ],
})
