// `npm run test:supabase`: the Supabase conformance and RLS suites (tests/supabase) against a REAL
// Supabase project, to check that the emulator and the real thing agree. The project must have
// anonymous sign-ins enabled and both migration folders applied:
//   supabase/migrations and tests/supabase/fixtures/migrations (test-only objects).
// Without the variables below the same suites run against the emulator in `npm test` instead.
import { spawnSync } from 'node:child_process'

const required = ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY']
const missing = required.filter((name) => !process.env[name])
if (missing.length > 0) {
  console.error(
    `[parley] test:supabase needs a real Supabase project; missing ${missing.join(', ')}.\n` +
      '  SUPABASE_URL=https://<ref>.supabase.co (or http://127.0.0.1:54321 for `supabase start`)\n' +
      '  SUPABASE_ANON_KEY=<anon key>  SUPABASE_SERVICE_ROLE_KEY=<service_role key>\n' +
      '  optional: SUPABASE_JWT_SECRET=<jwt secret> (enables the token-forging tests)\n' +
      'See docs/EMULATOR.md. To test the emulator instead, run `npm test`.',
  )
  process.exit(2)
}

console.log(`[parley] running tests/supabase against ${process.env.SUPABASE_URL}`)
const result = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--config',
    'vitest.workspace.ts',
    '--project',
    'node',
    'tests/supabase',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
