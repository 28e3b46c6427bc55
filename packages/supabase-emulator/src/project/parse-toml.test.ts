// The TOML reader: the syntax a Supabase config.toml uses parses, errors name the line.
import { describe, expect, it } from 'vitest'
import { parseToml } from './parse-toml.js'
import { isProjectError } from './project-error.js'

describe('parseToml', () => {
  it('reads tables, dotted keys and every value form a config.toml uses', () => {
    const text = [
      '# a comment',
      'project_id = "my-app" # trailing comment',
      '',
      '[api]',
      'enabled = true',
      'port = 54_321',
      'schemas = ["public", "graphql_public"]',
      'extra = [',
      '  "a", # comment inside an array',
      "  'b',",
      ']',
      '',
      '[auth.email]',
      'enable_confirmations = false',
      'max_frequency = "1s"',
      'secret = "env(SECRET)"',
      'ratio = 0.5',
      'big = 1e3',
      'hex = 0xff',
      '',
      '[auth.sms.test_otp]',
      '4152127777 = "123456"',
      '',
      '[functions.hello-world]',
      'verify_jwt = false',
      'inline = { a = 1, b.c = "x" }',
      '',
      '[[remotes]]',
      'name = "staging"',
      '[[remotes]]',
      'name = "prod"',
    ].join('\n')
    const toml = parseToml(text)
    expect(toml.get('project_id')).toBe('my-app')
    expect(toml.get('api.enabled')).toBe(true)
    expect(toml.get('api.port')).toBe(54321)
    expect(toml.get('api.schemas')).toEqual(['public', 'graphql_public'])
    expect(toml.get('api.extra')).toEqual(['a', 'b'])
    expect(toml.get('auth.email.enable_confirmations')).toBe(false)
    expect(toml.get('auth.email.secret')).toBe('env(SECRET)')
    expect(toml.get('auth.email.ratio')).toBe(0.5)
    expect(toml.get('auth.email.big')).toBe(1000)
    expect(toml.get('auth.email.hex')).toBe(255)
    expect(toml.get('auth.sms.test_otp.4152127777')).toBe('123456')
    expect(toml.get('functions.hello-world.verify_jwt')).toBe(false)
    expect(toml.get('functions.hello-world.inline')).toEqual({ a: 1, 'b.c': 'x' })
    expect(toml.get('remotes[].name')).toBe('prod')
  })

  it('reads escapes, literal and multi-line strings, quoted keys, CRLF and a BOM', () => {
    const text =
      '\uFEFFa = "tab\\there \\"q\\" \\u00e9"\r\n' +
      "b = 'C:\\path'\r\n" +
      '"quoted key" = 1\r\n' +
      'c = """\nline one\n  line two"""\n' +
      'd = """joined \\\n    here"""\n' +
      "e = '''\nraw \\n'''\n" +
      'when = 1979-05-27 07:32:00Z\n'
    const toml = parseToml(text)
    expect(toml.get('a')).toBe('tab\there "q" é')
    expect(toml.get('b')).toBe('C:\\path')
    expect(toml.get('quoted key')).toBe(1)
    expect(toml.get('c')).toBe('line one\n  line two')
    expect(toml.get('d')).toBe('joined here')
    expect(toml.get('e')).toBe('raw \\n')
    expect(toml.get('when')).toBe('1979-05-27 07:32:00Z')
  })

  it.each([
    ['a = 1\nb = nope', 2, 'invalid value nope'],
    ['[api\nport = 1', 1, 'expected ] after a table name'],
    ['a = "open', 1, 'unterminated string'],
    ['a = [1, 2', 1, 'unterminated array'],
    ['a = [1 2]', 1, 'expected , or ] in an array'],
    ['a = 1 2', 1, 'unexpected "2"'],
    ['a = 1\na = 2', 2, 'duplicate key a'],
    ['= 1', 1, 'expected a key'],
  ])('refuses %j at line %i', (text, line, message) => {
    let caught: unknown
    try {
      parseToml(text, '/app/supabase/config.toml')
    } catch (error) {
      caught = error
    }
    expect(isProjectError(caught)).toBe(true)
    expect(caught).toMatchObject({ code: 'invalid_config', files: ['/app/supabase/config.toml'] })
    expect((caught as Error).message).toContain(`/app/supabase/config.toml:${line}: ${message}`)
  })
})
