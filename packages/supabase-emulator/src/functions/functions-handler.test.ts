// Edge Functions through the real supabase-js and raw HTTP, with fixture functions written for
// Deno in a temporary supabase/functions folder: the environment a function sees, the JWT check
// and `verify_jwt = false`, 404/500/503, import maps and `npm:` specifiers, subpaths, a user's
// token reaching the function, reloading on change, and isolation between two emulators.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createClient, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { signJwt } from '../auth/jwt.js'
import type { EmulatorLogger } from '../emulator-logger.js'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

const HELLO = `
import 'jsr:@supabase/functions-js/edge-runtime.d.ts'
import * as Y from 'npm:yjs@^13.6.0'
import { greet } from '../_shared/greet.ts'

Deno.serve(async (req: Request) => {
  const url = new URL(req.url)
  const doc = new Y.Doc()
  doc.getText('t').insert(0, 'yjs works')
  const env = Deno.env.toObject()
  return Response.json({
    greeting: greet(req.method === 'POST' ? (await req.json()).name : 'get'),
    method: req.method,
    path: url.pathname,
    search: url.search,
    authorization: req.headers.get('authorization'),
    apikey: req.headers.get('apikey'),
    yjs: doc.getText('t').toString(),
    env: {
      url: env.SUPABASE_URL,
      anon: env.SUPABASE_ANON_KEY,
      service: env.SUPABASE_SERVICE_ROLE_KEY,
      publishable: env.SUPABASE_PUBLISHABLE_KEY,
      secret: env.SUPABASE_SECRET_KEY,
      dbUrl: env.SUPABASE_DB_URL ?? null,
      mySecret: env.MY_SECRET,
      fromOption: env.FROM_OPTION,
      home: env.HOME ?? null,
    },
  })
})
`

const WHO_AM_I = `
import { createClient } from '@supabase/supabase-js'

Deno.serve(async (req) => {
  const token = req.headers.get('Authorization')!.replace('Bearer ', '')
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!)
  const { data, error } = await supabase.auth.getUser(token)
  return Response.json({ id: data.user?.id ?? null, error: error?.message ?? null })
})
`

let root: string
let functionsDir: string
let emulator: SupabaseEmulator
/** A second emulator on the same folder. Started up front: starting one blocks the event loop
 * for seconds, long enough for a pooled keep-alive connection to the first to be reset. */
let other: SupabaseEmulator
let anon: SupabaseClient
const logged: string[] = []
const logger: Partial<EmulatorLogger> = {
  error: (message) => void logged.push(message),
  warn: (message) => void logged.push(message),
}

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(functionsDir, path)), { recursive: true })
  await writeFile(join(functionsDir, path), text)
}

function client(key: string): SupabaseClient {
  return createClient(emulator.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'parley-functions-test-'))
  functionsDir = join(root, 'supabase', 'functions')
  await put('_shared/greet.ts', 'export const greet = (name: string): string => `hello ${name}`\n')
  await put('hello/index.ts', HELLO)
  await put('who-am-i/index.ts', WHO_AM_I)
  await put('.env', '# secrets\nMY_SECRET="from .env"\nexport OTHER=1\nSUPABASE_URL=http://nope\n')
  await put(
    'open/index.ts',
    "Deno.serve(() => new Response('open', { headers: { 'x-fn': 'open' } }))\n",
  )
  await put('boom/index.ts', "Deno.serve(() => { throw new Error('kaboom') })\n")
  await put(
    'handled/index.ts',
    "Deno.serve({ onError: () => new Response('handled', { status: 418 }) }, () => {\n" +
      "  throw new Error('x')\n})\n",
  )
  await put('not-a-response/index.ts', "Deno.serve(() => 'text' as unknown as Response)\n")
  await put('broken/index.ts', "import { nothing } from 'no-such-package-anywhere'\nnothing()\n")
  await put('silent/index.ts', 'export const x = 1\n')
  await put(
    'mapped/index.ts',
    "import * as Y from 'ydoc'\nimport { v } from 'local/v.ts'\n" +
      'export default { fetch: () => Response.json({ doc: typeof Y.Doc, v }) }\n',
  )
  await put(
    'mapped/deno.jsonc',
    '{\n  // a comment\n  "imports": { "ydoc": "npm:yjs@13", "local/": "./lib/", },\n}\n',
  )
  await put('mapped/lib/v.ts', "export const v = 'mapped'\n")
  await put('_hidden/index.ts', "Deno.serve(() => new Response('no'))\n")
  emulator = await startSupabaseEmulator({
    port: 0,
    migrationsDir: false,
    logger,
    functions: {
      dir: functionsDir,
      functions: { open: { verifyJwt: false }, hello: { verifyJwt: true } },
      env: { FROM_OPTION: 'option' },
    },
  })
  anon = client(emulator.anonKey)
  other = await startSupabaseEmulator({
    port: 0,
    migrationsDir: false,
    logger,
    functions: functionsDir,
  })
})

afterAll(async () => {
  await other?.stop()
  await emulator?.stop()
  await rm(root, { recursive: true, force: true })
})

describe('Edge Functions', () => {
  it('invoke() round trip: JSON body in, JSON out, Deno.env, npm:/jsr: specifiers and shared code', async () => {
    const { data, error } = await anon.functions.invoke('hello', { body: { name: 'parley' } })
    expect(error).toBeNull()
    expect(data).toMatchObject({
      greeting: 'hello parley',
      method: 'POST',
      path: '/hello',
      search: '',
      authorization: `Bearer ${emulator.anonKey}`,
      apikey: emulator.anonKey,
      yjs: 'yjs works',
    })
    expect(data.env).toEqual({
      url: emulator.url,
      anon: emulator.anonKey,
      service: emulator.serviceRoleKey,
      publishable: emulator.publishableKey,
      secret: emulator.secretKey,
      dbUrl: null, // PGlite in memory is not reachable over TCP
      mySecret: 'from .env',
      fromOption: 'option',
      home: null, // the host's environment is not passed through
    })
    expect(logged.join('\n')).toContain('SUPABASE_URL') // the reserved .env name was skipped
  })

  it('passes subpaths, query strings and methods through', async () => {
    const { data, error } = await anon.functions.invoke('hello/a/b?x=1', { method: 'GET' })
    expect(error).toBeNull()
    expect(data).toMatchObject({ method: 'GET', path: '/hello/a/b', search: '?x=1' })
  })

  it('refuses requests without a valid JWT (401 {"msg"}), unless verify_jwt = false', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${emulator.functionsUrl}/hello`, { method: 'POST', headers, body: '{}' })
    let res = await post({})
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ msg: 'Error: Missing authorization header' })
    res = await post({ authorization: `Basic ${emulator.anonKey}` })
    expect(await res.json()).toEqual({ msg: "Error: Auth header is not 'Bearer {token}'" })
    res = await post({ authorization: 'Bearer not-a-jwt' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ msg: 'Invalid JWT' })
    const foreign = signJwt(
      { role: 'anon', exp: 2e9 },
      'another-secret-another-secret-another-secret',
    )
    res = await post({ authorization: `Bearer ${foreign}` })
    expect(await res.json()).toEqual({ msg: 'Invalid JWT' })
    const expired = signJwt({ role: 'anon', exp: 1000 }, emulator.jwtSecret)
    res = await post({ authorization: `Bearer ${expired}` })
    expect(await res.json()).toEqual({ msg: 'Invalid JWT' })

    // supabase-js sees FunctionsHttpError with the unread response.
    const { error } = await createClient(emulator.url, 'not-a-key', {
      realtime: { transport: WebSocket as never },
    }).functions.invoke('hello', { body: {} })
    expect(error).toBeInstanceOf(FunctionsHttpError)
    expect((error as FunctionsHttpError).context.status).toBe(401)

    const open = await fetch(`${emulator.functionsUrl}/open`)
    expect(open.status).toBe(200)
    expect(open.headers.get('x-fn')).toBe('open')
    expect(await open.text()).toBe('open')
  })

  it('accepts the service_role key, the sb_ keys (swapped as the gateway does) and user tokens', async () => {
    const service = await client(emulator.serviceRoleKey).functions.invoke('hello', { body: {} })
    expect(service.data.authorization).toBe(`Bearer ${emulator.serviceRoleKey}`)
    // With sb_ keys supabase-js sends no Authorization to functions; the gateway fills it in.
    const publishable = await client(emulator.publishableKey).functions.invoke('hello', {
      body: {},
    })
    expect(publishable.error).toBeNull()
    expect(publishable.data.authorization).toBe(`Bearer ${emulator.anonKey}`)
    const secret = await client(emulator.secretKey).functions.invoke('hello', { body: {} })
    expect(secret.data.authorization).toBe(`Bearer ${emulator.serviceRoleKey}`)

    const user = client(emulator.anonKey)
    const { data: session, error: signInError } = await user.auth.signInAnonymously()
    expect(signInError).toBeNull()
    const { data, error } = await user.functions.invoke('who-am-i')
    expect(error).toBeNull()
    // The function's own supabase-js (created on Node 20 without a transport option) reached
    // the emulator with the caller's token.
    expect(data).toEqual({ id: session.user!.id, error: null })
  })

  it('answers 404 "Function not found" for unknown, hidden and invalid names', async () => {
    for (const name of ['nope', '_hidden', '_shared', '1abc', '']) {
      const res = await fetch(`${emulator.functionsUrl}/${name}`, {
        headers: { authorization: `Bearer ${emulator.anonKey}` },
      })
      expect(res.status, name).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(await res.text()).toBe('Function not found')
    }
    const { error } = await anon.functions.invoke('nope')
    expect(error).toBeInstanceOf(FunctionsHttpError)
    expect((error as FunctionsHttpError).context.status).toBe(404)
  })

  it('answers 500 when the handler throws (or its onError), and 503 BOOT_ERROR when the function cannot boot', async () => {
    const auth = { authorization: `Bearer ${emulator.anonKey}` }
    const boom = await fetch(`${emulator.functionsUrl}/boom`, { headers: auth })
    expect(boom.status).toBe(500)
    expect(await boom.text()).toBe('Internal Server Error')
    expect(logged.join('\n')).toContain('boom: the handler threw')
    const handled = await fetch(`${emulator.functionsUrl}/handled`, { headers: auth })
    expect(handled.status).toBe(418)
    expect(await handled.text()).toBe('handled')
    const odd = await fetch(`${emulator.functionsUrl}/not-a-response`, { headers: auth })
    expect(odd.status).toBe(500)
    expect(await odd.json()).toMatchObject({ code: 'WORKER_ERROR' })

    for (const name of ['broken', 'silent']) {
      const res = await fetch(`${emulator.functionsUrl}/${name}`, { headers: auth })
      expect(res.status, name).toBe(503)
      expect(await res.json()).toEqual({
        code: 'BOOT_ERROR',
        message: 'Worker failed to boot (please check logs)',
      })
    }
    expect(logged.join('\n')).toContain('no-such-package-anywhere')
    expect(logged.join('\n')).toContain('neither called Deno.serve')
    // The emulator itself is unharmed.
    expect((await fetch(`${emulator.functionsUrl}/open`)).status).toBe(200)
  })

  it("applies the function's deno.jsonc import map and a default { fetch } export", async () => {
    const { data, error } = await anon.functions.invoke('mapped')
    expect(error).toBeNull()
    expect(data).toEqual({ doc: 'function', v: 'mapped' })
  })

  it('answers CORS preflights at the gateway and adds CORS headers to function responses', async () => {
    const preflight = await fetch(`${emulator.functionsUrl}/hello`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, x-client-info, apikey, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.test')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-client-info')
    const res = await fetch(`${emulator.functionsUrl}/open`, {
      headers: { origin: 'http://app.test' },
    })
    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.test')
  })

  it('boots a function again when its files change', async () => {
    await put('reload/index.ts', "Deno.serve(() => new Response('one'))\n")
    const get = async () =>
      (await anon.functions.invoke('reload', { method: 'GET' })).data as string
    expect(await get()).toBe('one')
    await new Promise((resolve) => setTimeout(resolve, 600)) // past the change-check interval
    await put('reload/index.ts', "Deno.serve(() => new Response('two'))\n")
    expect(await get()).toBe('two')
  })

  it('gives each emulator its own Deno.env', async () => {
    const [mine, theirs] = await Promise.all([
      anon.functions.invoke('hello', { body: {} }),
      createClient(other.url, other.anonKey, {
        realtime: { transport: WebSocket as never },
      }).functions.invoke('hello', { body: {} }),
    ])
    expect(mine.data.env.url).toBe(emulator.url)
    expect(theirs.data.env.url).toBe(other.url)
    expect(theirs.data.env.fromOption).toBeUndefined()
  })
})
