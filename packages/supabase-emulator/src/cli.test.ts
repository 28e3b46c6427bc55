// The CLI: argument handling, the status block, a clean stop, and `start` applying the app's own
// supabase/ folder (after `init`, without migrations, with a config.toml).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '@supabase/supabase-js'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { runCli, type CliIo } from './cli.js'

function capture(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = []
  const err_: string[] = []
  return { out_, err_, out: (t) => out_.push(t), err: (t) => err_.push(t) }
}

function client(url: string, anonKey: string) {
  return createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
}

/** Signs in anonymously and calls Parley's `get_limits` RPC: the schema is there or it is not. */
async function callParleyRpc(url: string, anonKey: string) {
  const supabase = client(url, anonKey)
  const signIn = await supabase.auth.signInAnonymously()
  expect(signIn.error).toBeNull()
  return supabase.rpc('get_limits')
}

/** What an app that signs users in anonymously does to the config.toml that `init` wrote. */
async function allowAnonymousSignIns(app: string) {
  const file = join(app, 'supabase', 'config.toml')
  const text = await readFile(file, 'utf8')
  expect(text).toContain('enable_anonymous_sign_ins = false')
  await writeFile(
    file,
    text.replace('enable_anonymous_sign_ins = false', 'enable_anonymous_sign_ins = true'),
  )
}

const apps: string[] = []
async function tempApp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-app-'))
  apps.push(dir)
  return dir
}

afterEach(() => {
  process.exitCode = undefined
})
afterAll(async () => {
  for (const dir of apps) await rm(dir, { recursive: true, force: true })
})

describe('parley-supabase CLI', () => {
  it('starts, prints URLs and keys like `supabase status`, and stops', async () => {
    const io = capture()
    const session = await runCli(['start', '--port', '0', '--no-seed'], io)
    expect(session).toBeDefined()
    try {
      const text = io.out_.join('')
      expect(text).toContain(`API URL: ${session?.emulator.url}`)
      expect(text).toContain(`anon key: ${session?.emulator.anonKey}`)
      expect(text).toContain(`service_role key: ${session?.emulator.serviceRoleKey}`)
      expect(text).toContain(`JWT secret: ${session?.emulator.jwtSecret}`)
      expect(text).toContain('Realtime URL: ws://')
    } finally {
      await session?.stop()
    }
  })

  it('prints help for --help and exits with 0', async () => {
    for (const args of [['--help'], ['start', '--help'], ['init', '-h']]) {
      const io = capture()
      expect(await runCli(args, io)).toBeUndefined()
      expect(io.out_.join('')).toContain('Usage: parley-supabase <command> [options]')
      expect(process.exitCode).toBeUndefined()
    }
  })

  it.each([
    [['stop']],
    [[]],
    [['start', 'extra']],
    [['start', '--port', 'abc']],
    [['start', '--bogus']],
    [['start', '--data', 'x', '--database-url', 'postgres://x']],
    [['start', '--seed', 'x.sql', '--no-seed']],
    [['start', '--jwt-expiry', '-5']],
    [['init', '--force', 'extra']],
  ])('refuses %j with usage and exit code 2', async (args) => {
    const io = capture()
    expect(await runCli(args, io)).toBeUndefined()
    expect(io.err_.join('') + io.out_.join('')).toContain('Usage: parley-supabase')
    expect(process.exitCode).toBe(2)
  })
})

describe('parley-supabase start in an app folder', () => {
  it("applies the app's supabase/ after init: Parley's RPCs answer through supabase-js", async () => {
    const app = await tempApp()
    await runCli(['init', '--dir', app], capture())
    await allowAnonymousSignIns(app)
    await writeFile(join(app, 'supabase', 'seed.sql'), 'create table seeded (id int);')
    const io = capture()
    const session = await runCli(['start', '--dir', app, '--port', '0'], io)
    expect(session).toBeDefined()
    if (!session) return
    try {
      const out = io.out_.join('')
      expect(out).toContain(
        `${join(app, 'supabase')}/: config.toml (read api.port, db.seed.enabled, ` +
          'db.seed.sql_paths, auth.jwt_expiry, auth.enable_signup, ' +
          'auth.enable_anonymous_sign_ins, auth.email.enable_confirmations), ',
      )
      expect(out).toMatch(/\d+ migrations, seed\.sql, 1 function \(parley-compact\)\n/)
      expect(out).toContain(
        `Functions URL: ${session.emulator.url}/functions/v1/<name> (parley-compact)`,
      )
      expect(out).toMatch(/Migrations: 20261121120000_create_conversation_tables\n +20261121120100/)
      expect(io.err_.join('')).not.toContain('WARNING')
      const { data, error } = await callParleyRpc(session.emulator.url, session.emulator.anonKey)
      expect(error).toBeNull()
      expect(data).toMatchObject({ max_update_bytes: 262144 })
      expect(await session.emulator.sql(`select to_regclass('public.seeded') as t`)).toEqual([
        { t: 'seeded' },
      ])
      // The app's copy of parley-compact is served: it boots and refuses a body without an id.
      const invoked = await client(session.emulator.url, session.emulator.anonKey).functions.invoke(
        'parley-compact',
        { body: {} },
      )
      const response = (invoked.error as { context?: Response } | null)?.context
      expect(response?.status).toBe(400)
      expect(await response?.json()).toMatchObject({ code: 'PARLEY_INVALID_ARGUMENT' })
    } finally {
      await session.stop()
    }
  })

  it('warns loudly on stderr when there are no migrations, and still starts', async () => {
    const app = await tempApp()
    await mkdir(join(app, 'supabase', 'functions', 'hello'), { recursive: true })
    const io = capture()
    const session = await runCli(['start', '--dir', app, '--port', '0'], io)
    expect(session).toBeDefined()
    if (!session) return
    try {
      const err = io.err_.join('')
      expect(err).toContain(
        `WARNING: no migrations in ${join(app, 'supabase', 'migrations')} — run ` +
          "`npx parley-supabase init` to add Parley's migrations",
      )
      expect(err).toContain('PGRST202')
      const out = io.out_.join('')
      expect(out).toContain('0 migrations')
      expect(out).not.toContain('not served')
      expect(out).toContain(`Functions URL: ${session.emulator.url}/functions/v1/<name> (none`)
      expect(out).toContain('Migrations: none')
      expect(process.exitCode).toBeUndefined()
      const { error } = await callParleyRpc(session.emulator.url, session.emulator.anonKey)
      expect(error?.code).toBe('PGRST202')
    } finally {
      await session.stop()
    }
  })

  it('passes [auth] jwt_expiry and enable_anonymous_sign_ins from config.toml on; flags win', async () => {
    const app = await tempApp()
    const config = join(app, 'supabase', 'config.toml')
    await mkdir(join(app, 'supabase'))
    await writeFile(config, '[api]\nport = 1\n[auth]\njwt_expiry = 120\n')
    const io = capture()
    const session = await runCli(['start', '--dir', app, '--port', '0'], io)
    expect(session).toBeDefined()
    try {
      expect(session?.emulator.port).not.toBe(1)
      const supabase = client(session?.emulator.url ?? '', session?.emulator.anonKey ?? '')
      const { data, error } = await supabase.auth.signInAnonymously()
      expect(error).toBeNull()
      expect(data.session?.expires_in).toBe(120)
    } finally {
      await session?.stop()
    }

    await writeFile(config, '[auth]\nenable_anonymous_sign_ins = false\n')
    const refusing = capture()
    const other = await runCli(
      ['start', '--dir', app, '--port', '0', '--migrations', join(app, 'none')],
      refusing,
    )
    expect(other).toBeDefined()
    try {
      const err = refusing.err_.join('')
      expect(err).toContain('WARNING: no migrations in')
      expect(err).toContain('check the --migrations folder')
      const supabase = client(other?.emulator.url ?? '', other?.emulator.anonKey ?? '')
      const { error } = await supabase.auth.signInAnonymously()
      expect(error?.code).toBe('anonymous_provider_disabled')
    } finally {
      await other?.stop()
    }
  })

  it('refuses an unreadable config.toml with exit code 1', async () => {
    const app = await tempApp()
    await mkdir(join(app, 'supabase'))
    await writeFile(join(app, 'supabase', 'config.toml'), '[api]\nport = "54321"\n')
    const io = capture()
    expect(await runCli(['start', '--dir', app, '--port', '0'], io)).toBeUndefined()
    expect(io.err_.join('')).toContain('[api] port must be an integer')
    expect(process.exitCode).toBe(1)
  })
})

describe('bin/parley-supabase.mjs in an app folder (the working directory is the default)', () => {
  const bin = fileURLToPath(new URL('../bin/parley-supabase.mjs', import.meta.url))

  /** Runs the bin in `cwd`; resolves once `until` matches stdout, or on exit. */
  function run(cwd: string, args: string[], until?: RegExp) {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const ready = new Promise<void>((resolve) => {
      if (until) child.stdout.on('data', () => until.test(stdout) && resolve())
      void exited.then(() => resolve())
    })
    return { child, ready, exited, out: () => stdout, err: () => stderr }
  }
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  })

  it('init, then start: the migrations of ./supabase are applied and Ctrl-C stops it', async () => {
    const app = await tempApp()
    const init = run(app, ['init'])
    expect(await init.exited).toBe(0)
    expect(init.out()).toContain('copied     ./supabase/migrations/20261121120000_')
    await allowAnonymousSignIns(app)

    const start = run(app, ['start', '--port', '0'], /Press Ctrl-C/)
    children.push(start.child)
    await start.ready
    expect(start.out()).toContain('./supabase/: config.toml')
    const url = /API URL: (\S+)/.exec(start.out())?.[1] ?? ''
    const anonKey = /anon key: (\S+)/.exec(start.out())?.[1] ?? ''
    const { data, error } = await callParleyRpc(url, anonKey)
    expect(error).toBeNull()
    expect(data).toMatchObject({ max_update_bytes: 262144 })
    start.child.kill('SIGINT')
    expect(await start.exited).toBe(0)
  })

  it('start without migrations prints the warning on stderr and keeps running', async () => {
    const app = await tempApp()
    const start = run(app, ['start', '--port', '0'], /Press Ctrl-C/)
    children.push(start.child)
    await start.ready
    expect(start.child.exitCode).toBeNull()
    expect(start.err()).toContain(
      'WARNING: no migrations in ./supabase/migrations — run `npx parley-supabase init`',
    )
    expect(start.out()).toContain('./supabase/: not found')
    start.child.kill('SIGINT')
    expect(await start.exited).toBe(0)
  })
})
