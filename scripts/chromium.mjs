// Where Playwright finds a browser: Playwright may not download its own here, so every
// browser test uses the system Chromium (Debian's `chromium`) through `executablePath`.
import { existsSync } from 'node:fs'

/** Candidate system Chromium binaries, most likely first. */
const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]

/** The path of a system Chromium, or undefined when none is installed. */
export function findChromium() {
  return CANDIDATES.find((p) => p !== undefined && p !== '' && existsSync(p))
}

/** Flags for a sandboxless, quiet, offline-friendly headless Chromium. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
