// `parley-supabase init`: Parley's migrations land in an app's supabase/migrations under their
// own names and its Edge Functions in supabase/functions; a second run changes nothing; a
// different file of the same name is refused unless --force; an existing config.toml is never
// touched.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, type CliIo } from './cli.js'
import { PARLEY_FUNCTIONS_DIR, PARLEY_MIGRATIONS_DIR } from './project/parley-migrations.js'
import { parseProjectConfig } from './project/project-config.js'

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  const out: string[] = []
  const err: string[] = []
  return {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  }
}

let app: string
let parley: string[]
beforeEach(async () => {
  app = await mkdtemp(join(tmpdir(), 'parley-init-'))
  parley = (await readdir(PARLEY_MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()
})
afterEach(async () => {
  process.exitCode = undefined
  await rm(app, { recursive: true, force: true })
})

async function init(...flags: string[]) {
  const io = capture()
  expect(await runCli(['init', '--dir', app, ...flags], io)).toBeUndefined()
  return io
}
const target = (name: string) => join(app, 'supabase', 'migrations', name)

describe('parley-supabase init', () => {
  it("copies Parley's migrations under their names, writes a config.toml, says what next", async () => {
    expect(parley.length).toBeGreaterThan(0)
    const io = await init()
    expect(process.exitCode).toBeUndefined()
    expect((await readdir(join(app, 'supabase', 'migrations'))).sort()).toEqual(parley)
    for (const name of parley) {
      expect(await readFile(target(name), 'utf8')).toBe(
        await readFile(join(PARLEY_MIGRATIONS_DIR, name), 'utf8'),
      )
      expect(io.stdout()).toContain(`copied     ${target(name)}`)
    }
    const config = await readFile(join(app, 'supabase', 'config.toml'), 'utf8')
    expect(config).toMatch(/^# .*parley-supabase init/)
    expect(config).toContain('reads only these keys')
    expect(parseProjectConfig(config)).toMatchObject({ apiPort: 54321, anonymousSignIns: false })
    expect(io.stdout()).toContain(`created    ${join(app, 'supabase', 'config.toml')}`)
    expect(io.stdout()).toContain('npx parley-supabase start')
    expect(io.stdout()).toContain('supabase db push')
    expect(io.stdout()).toContain('Realtime → Settings')
    expect(io.stderr()).toBe('')
  })

  it("copies Parley's Edge Functions (parley-compact and its deno.json) into supabase/functions", async () => {
    const io = await init()
    const compact = join(app, 'supabase', 'functions', 'parley-compact')
    const files = (await readdir(compact)).sort()
    expect(files).toEqual((await readdir(join(PARLEY_FUNCTIONS_DIR, 'parley-compact'))).sort())
    expect(files).toEqual(expect.arrayContaining(['deno.json', 'index.ts']))
    for (const name of files) {
      expect(await readFile(join(compact, name), 'utf8')).toBe(
        await readFile(join(PARLEY_FUNCTIONS_DIR, 'parley-compact', name), 'utf8'),
      )
      expect(io.stdout()).toContain(`copied     ${join(compact, name)}`)
    }
    // Only function folders: not the repository's tsconfig.json for typechecking them.
    expect(await readdir(join(app, 'supabase', 'functions'))).toEqual(['parley-compact'])
    expect(JSON.parse(await readFile(join(compact, 'deno.json'), 'utf8'))).toMatchObject({
      imports: { '@parley/core': 'npm:@parley/core', yjs: 'npm:yjs' },
    })
    expect(io.stdout()).toContain('supabase functions deploy parley-compact')
  })

  it('refuses to overwrite an edited function file until --force', async () => {
    const index = join(app, 'supabase', 'functions', 'parley-compact', 'index.ts')
    await mkdir(join(index, '..'), { recursive: true })
    await writeFile(index, '// mine\n')
    const refused = await init()
    expect(process.exitCode).toBe(1)
    expect(refused.stderr()).toContain(index)
    expect(await readFile(index, 'utf8')).toBe('// mine\n')
    process.exitCode = undefined
    const forced = await init('--force')
    expect(forced.stdout()).toContain(`replaced   ${index}`)
  })

  it('is idempotent: a second run reports every file unchanged', async () => {
    await init()
    const io = await init()
    expect(process.exitCode).toBeUndefined()
    expect(io.stdout()).toContain('Already up to date')
    for (const name of parley) expect(io.stdout()).toContain(`unchanged  ${target(name)}`)
    expect(io.stdout()).not.toMatch(/copied|created|replaced/)
  })

  it("keeps an existing config.toml and the app's own migrations", async () => {
    await mkdir(join(app, 'supabase', 'migrations'), { recursive: true })
    const own = '[auth]\nenable_anonymous_sign_ins = true\n'
    await writeFile(join(app, 'supabase', 'config.toml'), own)
    await writeFile(target('20200101000000_app_tables.sql'), 'create table t ();')
    const io = await init()
    expect(await readFile(join(app, 'supabase', 'config.toml'), 'utf8')).toBe(own)
    expect(await readFile(target('20200101000000_app_tables.sql'), 'utf8')).toBe(
      'create table t ();',
    )
    expect(io.stderr()).toBe('')
    expect(process.exitCode).toBeUndefined()
  })

  it('warns, without failing, when the existing config.toml is one start would refuse', async () => {
    await mkdir(join(app, 'supabase'))
    await writeFile(join(app, 'supabase', 'config.toml'), '[api]\nport = "54321"\n')
    const io = await init()
    expect(process.exitCode).toBeUndefined()
    expect(io.stderr()).toContain('[api] port must be an integer')
  })

  it('refuses to overwrite a different file of the same name, writing nothing, until --force', async () => {
    const [first, ...others] = parley as [string, ...string[]]
    await mkdir(join(app, 'supabase', 'migrations'), { recursive: true })
    await writeFile(target(first), '-- edited by hand\n')

    const refused = await init()
    expect(process.exitCode).toBe(1)
    expect(refused.stderr()).toContain('refusing to overwrite 1 file(s)')
    expect(refused.stderr()).toContain(target(first))
    expect(refused.stderr()).toContain('--force')
    expect(await readFile(target(first), 'utf8')).toBe('-- edited by hand\n')
    expect(await readdir(join(app, 'supabase'))).toEqual(['migrations'])
    expect(await readdir(join(app, 'supabase', 'migrations'))).toEqual([first])

    process.exitCode = undefined
    const forced = await init('--force')
    expect(process.exitCode).toBeUndefined()
    expect(forced.stdout()).toContain(`replaced   ${target(first)}`)
    for (const name of others) expect(forced.stdout()).toContain(`copied     ${target(name)}`)
    expect(await readFile(target(first), 'utf8')).toBe(
      await readFile(join(PARLEY_MIGRATIONS_DIR, first), 'utf8'),
    )
  })

  it('treats a copy with CRLF line endings as the same migration', async () => {
    const [first] = parley as [string]
    const text = await readFile(join(PARLEY_MIGRATIONS_DIR, first), 'utf8')
    await mkdir(join(app, 'supabase', 'migrations'), { recursive: true })
    await writeFile(target(first), text.replaceAll('\n', '\r\n'))
    const io = await init()
    expect(process.exitCode).toBeUndefined()
    expect(io.stdout()).toContain(`unchanged  ${target(first)}`)
  })

  it('fails with exit code 1 for a missing folder, 2 for an unknown flag', async () => {
    const io = capture()
    await runCli(['init', '--dir', join(app, 'missing')], io)
    expect(process.exitCode).toBe(1)
    expect(io.stderr()).toContain('is not a directory')
    process.exitCode = undefined
    await runCli(['init', '--port', '1'], io)
    expect(process.exitCode).toBe(2)
  })
})
