// The config.toml subset the emulator reads: the repository's own file, a file shaped like the
// one `supabase init` writes, and wrong types refused with the key named.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { USAGE } from '../cli.js'
import { minimalConfigToml } from './init-project.js'
import { parseProjectConfig, PROJECT_CONFIG_KEYS } from './project-config.js'

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
      siteUrl: 'http://127.0.0.1:5173',
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
max_frequency = "1m30s"
otp_expiry = 600
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
      siteUrl: 'http://127.0.0.1:3000',
      emailConfirmations: true,
      emailMaxFrequencyMs: 90_000,
      otpExpirySeconds: 600,
    })
  })

  it('takes env(NAME) strings from the environment', () => {
    process.env.PARLEY_TEST_SITE_URL = 'https://app.example.com'
    try {
      expect(parseProjectConfig('[auth]\nsite_url = "env(PARLEY_TEST_SITE_URL)"\n')).toEqual({
        siteUrl: 'https://app.example.com',
      })
    } finally {
      delete process.env.PARLEY_TEST_SITE_URL
    }
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
    ['[auth]\nsite_url = "localhost:3000"', '[auth] site_url must be an http(s) URL'],
    ['[auth]\nsite_url = "env(PARLEY_UNSET_VAR)"', '[auth] site_url must be an http(s) URL'],
    ['[auth.email]\nmax_frequency = "often"', '[auth.email] max_frequency must be a duration'],
    ['[auth.email]\notp_expiry = 0', '[auth.email] otp_expiry must be an integer from 1 to 86400'],
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

describe('PROJECT_CONFIG_KEYS', () => {
  // The help, the config.toml that init writes and the repository's config.toml list the keys.
  it.each([
    ['the CLI help', () => Promise.resolve(USAGE)],
    ["init's config.toml", () => Promise.resolve(minimalConfigToml('app'))],
    ["the repository's config.toml", () => readFile(REPO_CONFIG, 'utf8')],
  ])('are all named in %s', async (_where, text) => {
    const lines = (await text()).split('\n')
    for (const key of Object.values(PROJECT_CONFIG_KEYS)) {
      const dot = key.lastIndexOf('.')
      const table = `[${key.slice(0, dot)}] `
      const line = lines.find((l) => l.includes(table) && l.includes(key.slice(dot + 1)))
      expect(line, key).toBeDefined()
    }
  })
})
