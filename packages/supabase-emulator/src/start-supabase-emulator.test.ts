// Lifecycle of startSupabaseEmulator: free ports, idempotent stop that closes HTTP and WebSocket
// connections, persistence in a data directory, superuser SQL.
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createClient } from '@supabase/supabase-js'
import { DEFAULT_ANON_KEY } from './auth/jwt.js'
import { startSupabaseEmulator } from './start-supabase-emulator.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

function client(url: string) {
  return createClient(url, DEFAULT_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
}

/** Resolves with the HTTP status, or the error code when the connection fails. */
function probe(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${url}/health`, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    req.end()
  })
}

describe('startSupabaseEmulator', () => {
  it('listens on a free port with the CLI keys, runs superuser SQL, and stop() closes everything once', async () => {
    const emulator = await startSupabaseEmulator({ port: 0, migrationsDir: false, seed: false })
    expect(emulator.port).toBeGreaterThan(0)
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`)
    expect(emulator.anonKey).toBe(DEFAULT_ANON_KEY)
    expect(await probe(emulator.url)).toBe(200)

    // Superuser SQL; REST sees the new table at once (the schema cache is refreshed).
    await emulator.exec(
      'create table public.t (id int primary key, v text); grant select on public.t to anon;',
    )
    await emulator.sql('insert into public.t values ($1, $2)', [1, 'one'])
    const { data, error } = await client(emulator.url).from('t').select('id, v')
    expect(error).toBeNull()
    expect(data).toEqual([{ id: 1, v: 'one' }])

    // A WebSocket that is open when stop() runs must be closed by it.
    const ws = new WebSocket(
      `${emulator.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${DEFAULT_ANON_KEY}&vsn=2.0.0`,
    )
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))

    const first = emulator.stop()
    expect(emulator.stop()).toBe(first)
    await first
    expect(await closed).toBeGreaterThan(0)
    expect(await probe(emulator.url)).toBe('ECONNREFUSED')
    await expect(emulator.sql('select 1')).rejects.toThrow()
  })

  it('keeps users in a data directory across restarts without re-running migrations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-emulator-'))
    dirs.push(dir)
    const infos: string[] = []
    const logger = { info: (message: string) => infos.push(message) }
    const first = await startSupabaseEmulator({ port: 0, database: { dir }, logger })
    const email = 'persist@example.com'
    const signUp = await client(first.url).auth.signUp({ email, password: 'long enough' })
    expect(signUp.error).toBeNull()
    await first.stop()
    expect(infos.some((m) => m.startsWith('db: applied'))).toBe(true)

    infos.length = 0
    const second = await startSupabaseEmulator({ port: 0, database: { dir }, logger })
    try {
      const signIn = await client(second.url).auth.signInWithPassword({
        email,
        password: 'long enough',
      })
      expect(signIn.error).toBeNull()
      expect(signIn.data.user?.id).toBe(signUp.data.user?.id)
      expect(infos.some((m) => m.startsWith('db: applied'))).toBe(false)
    } finally {
      await second.stop()
    }
  })

  it('fails to start on a taken port and releases the database', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    try {
      await expect(
        startSupabaseEmulator({ port, migrationsDir: false, seed: false }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })
})
