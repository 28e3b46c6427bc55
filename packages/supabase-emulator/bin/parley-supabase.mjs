#!/usr/bin/env node
// Entry point of `parley-supabase`. It runs the TypeScript sources through tsx (a root
// devDependency), so it works from a fresh clone after `npm install`, without a build.
// Equivalent by hand: `node --import tsx packages/supabase-emulator/src/cli.ts start`.
// Without tsx (an installed package), the compiled `dist/cli.js` is used instead.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli.ts', import.meta.url)
const compiled = new URL('../dist/cli.js', import.meta.url)

let cli
if (existsSync(source)) {
  let register
  try {
    ;({ register } = await import('tsx/esm/api'))
  } catch {
    register = undefined
  }
  if (register) {
    register()
    cli = await import(source.href)
  }
}
if (!cli) {
  if (!existsSync(compiled)) {
    process.stderr.write(
      'parley-supabase: neither tsx (to run src/) nor dist/cli.js (a build) is available\n',
    )
    process.exit(1)
  }
  cli = await import(compiled.href)
}
await cli.main(process.argv.slice(2))
