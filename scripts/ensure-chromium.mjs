// Makes sure a system Chromium exists for the browser tests. Playwright cannot download its own
// browser on our machines, so we install Debian's `chromium` where apt is available, or say
// exactly what to run.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { findChromium } from './chromium.mjs'

/** Returns the Chromium path, installing Debian's package first when possible. */
export function ensureChromium() {
  const found = findChromium()
  if (found) return found
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const apt = existsSync('/usr/bin/apt-get')
  if (apt) {
    const sudo = isRoot ? '' : 'sudo '
    console.log(
      `[parley] No Chromium found; installing Debian's chromium (${sudo}apt-get install -y chromium)`,
    )
    try {
      try {
        execSync(`${sudo}apt-get install -y chromium`, { stdio: 'inherit' })
      } catch {
        execSync(`${sudo}apt-get update && ${sudo}apt-get install -y chromium`, {
          stdio: 'inherit',
          shell: '/bin/bash',
        })
      }
    } catch (error) {
      console.error(`[parley] Installing Chromium failed: ${String(error)}`)
    }
    const after = findChromium()
    if (after) return after
  }
  console.error(
    '[parley] Browser tests need a system Chromium. Install it with:\n' +
      '    sudo apt-get install -y chromium        # Debian/Ubuntu\n' +
      'or point CHROMIUM_PATH at a Chromium/Chrome binary.',
  )
  process.exit(1)
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium())
