// The config.toml subset the emulator reads: the repository's own file, a file shaped like the
// one `supabase init` writes, and wrong types refused with the key named.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parseProjectConfig } from './project-config.js'

const REPO_CONFIG = new URL('../../../../supabase/config.toml', import.meta.url)

describe('parseProjectConfig', () => {
  it("reads the repository's supabase/config.toml", async () => {
    expect(parseProjectConfig(await readFile(REPO_CONFIG, 'utf8'))).toEqual({
      apiPort: 54321,
      seedEnabled: true,
      seedPaths: ['./seed.sql'],
      jwtExpirySeconds: 3600,
      enableSignup: true,
      anonymousSignIns: true,
      emailConfirmations: false,
    })
  })

  it('reads a file shaped like the Supabase CLI template and ignores everything else', () => {
    const text = `project_id = "shop"
[api]
enabled = true
port = 54400
schemas = ["public", "graphql_public"]
[api.tls]
enabled = false
[db.seed]
enabled = false
sql_paths = ["./seed.sql", "./seeds/*.sql"]
[storage]
file_size_limit = "50MiB"
[auth]
site_url = "http://127.0.0.1:3000"
jwt_expiry = 600
enable_signup = false
enable_anonymous_sign_ins = false
[auth.email]
enable_signup = true
enable_confirmations = true
[auth.sms]
template = "Your code is {{ \`{{ .Code }}\` }}"
[auth.external.apple]
secret = "env(SUPABASE_AUTH_EXTERNAL_APPLE_SECRET)"
[edge_runtime]
policy = "per_worker"
deno_version = 2
`
    expect(parseProjectConfig(text)).toEqual({
      apiPort: 54400,
      seedEnabled: false,
      seedPaths: ['./seed.sql', './seeds/*.sql'],
      jwtExpirySeconds: 600,
      enableSignup: false,
      anonymousSignIns: false,
      emailConfirmations: true,
    })
  })

  it('leaves out keys the file does not set', () => {
    expect(parseProjectConfig('[auth]\njwt_expiry = 60\n')).toEqual({ jwtExpirySeconds: 60 })
    expect(parseProjectConfig('')).toEqual({})
  })

  it.each([
    ['[api]\nport = "54321"', '[api] port must be an integer from 1 to 65535, not "54321"'],
    ['[api]\nport = 70000', '[api] port must be an integer from 1 to 65535'],
    ['[auth]\njwt_expiry = 0', '[auth] jwt_expiry must be an integer from 1 to 604800'],
    ['[auth]\nenable_signup = "yes"', '[auth] enable_signup must be true or false'],
    ['[db.seed]\nsql_paths = "./seed.sql"', '[db.seed] sql_paths must be an array of strings'],
    [
      '[auth.email]\nenable_confirmations = 1',
      '[auth.email] enable_confirmations must be true or false',
    ],
  ])('refuses %j', (text, message) => {
    expect(() => parseProjectConfig(text, '/app/supabase/config.toml')).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringContaining(`/app/supabase/config.toml: ${message}`),
      }),
    )
  })
})
