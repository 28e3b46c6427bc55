// The Database contract on both drivers (PGlite always; a Postgres server when DATABASE_URL is
// set), plus migrations, seed tracking and the Realtime NOTIFY format.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  REALTIME_NOTIFY_CHANNEL,
  applyMigrations,
  applySeed,
  isDatabaseError,
  openDatabase,
  resolveRealtimeNotification,
  splitSqlStatements,
} from './index.js'
import type { Database, RequestAuth } from './index.js'

const adminUrl = process.env.DATABASE_URL
const targets = ['pglite', ...(adminUrl ? ['postgres'] : [])] as const

const user = (sub: string): RequestAuth => ({
  role: 'authenticated',
  claims: { role: 'authenticated', sub, exp: 4_000_000_000 },
})

describe.each(targets)('Database on %s', (kind) => {
  let db: Database
  let dir: string
  let cleanup: () => Promise<void> = async () => {}

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-db-'))
    if (kind === 'pglite') {
      db = await openDatabase('memory')
    } else {
      const name = `parley_db_${randomUUID().slice(0, 8)}`
      const admin = new pg.Client({ connectionString: adminUrl })
      await admin.connect()
      await admin.query(`create database ${name}`)
      await admin.end()
      const url = new URL(adminUrl ?? '')
      url.pathname = '/' + name
      db = await openDatabase({ url: url.toString() })
      cleanup = async () => {
        const again = new pg.Client({ connectionString: adminUrl })
        await again.connect()
        await again.query(`drop database if exists ${name} with (force)`)
        await again.end()
      }
    }
    await db.exec('create table public.t (id int primary key, owner uuid, b bytea)')
    await db.exec('alter table public.t enable row level security')
    await db.exec(
      `create policy own on public.t for all to authenticated
       using (owner = auth.uid()) with check (owner = auth.uid())`,
    )
  })

  afterAll(async () => {
    await db.close()
    await cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  it('sets role, claims and search_path per transaction, like PostgREST', async () => {
    const sub = randomUUID()
    const row = await db.withRole(user(sub), async (tx) => {
      const r = await tx.query<{ u: string; who: string; r: string; jwt: { sub: string } }>(
        `select auth.uid()::text as u, current_user as who, auth.role() as r, auth.jwt() as jwt`,
      )
      return r.rows[0]
    })
    expect(row).toEqual({
      u: sub,
      who: 'authenticated',
      r: 'authenticated',
      jwt: expect.objectContaining({ sub }),
    })
    const after = await db.query<{ who: string; claims: string | null }>(
      `select current_user as who, nullif(current_setting('request.jwt.claims', true), '') as claims`,
    )
    expect(after.rows[0]).toEqual({
      who: expect.not.stringMatching(/^authenticated$/),
      claims: null,
    })
  })

  it('commits, rolls back on throw, and always rolls back with rollback: true', async () => {
    const sub = randomUUID()
    await db.withRole(user(sub), (tx) =>
      tx.query(`insert into public.t values (1, $1, '\\x01')`, [sub]),
    )
    await expect(
      db.withRole(user(sub), async (tx) => {
        await tx.query(`insert into public.t values (2, $1, null)`, [sub])
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const kept = await db.withRole(
      user(sub),
      async (tx) => {
        await tx.query(`insert into public.t values (3, $1, null)`, [sub])
        return 'value'
      },
      { rollback: true },
    )
    expect(kept).toBe('value')
    const ids = await db.query<{ id: number; b: Uint8Array | null }>(
      'select id, b from public.t order by id',
    )
    expect(ids.rows.map((r) => r.id)).toEqual([1])
    expect(Array.from(ids.rows[0]?.b ?? [])).toEqual([1])
  })

  it('rejects with DatabaseError carrying SQLSTATE, detail and hint', async () => {
    const error: unknown = await db
      .query(
        `do $$ begin raise exception 'X: no' using errcode = 'P0001', detail = 'd', hint = 'h'; end $$`,
      )
      .catch((e: unknown) => e)
    expect(isDatabaseError(error)).toBe(true)
    expect(error).toMatchObject({
      name: 'DatabaseError',
      code: 'P0001',
      message: 'X: no',
      detail: 'd',
      hint: 'h',
    })
    const rls: unknown = await db
      .withRole(user(randomUUID()), (tx) =>
        tx.query(`insert into public.t values (9, gen_random_uuid(), null)`),
      )
      .catch((e: unknown) => e)
    expect(rls).toMatchObject({ code: '42501' })
  })

  it('refuses roles other than the three API roles', async () => {
    const auth = {
      role: 'postgres',
      claims: { role: 'postgres', exp: 4_000_000_000 },
    } as unknown as RequestAuth
    await expect(db.withRole(auth, async () => 1)).rejects.toMatchObject({ code: '42501' })
  })

  it('parses int8 as number on both drivers', async () => {
    const r = await db.query<{ n: number }>('select 9007199254740::int8 as n')
    expect(r.rows[0]?.n).toBe(9007199254740)
  })

  it('delivers NOTIFY after commit and stops after unlisten; large payloads are read by id', async () => {
    const got: string[] = []
    const unlisten = await db.listen(REALTIME_NOTIFY_CHANNEL, (p) => got.push(p))
    await db.query(`select realtime.send('{"a":1}'::jsonb, 'small', 'room-a', false)`)
    await db.query(
      `select realtime.send(jsonb_build_object('x', repeat('y', 9000)), 'big', 'room-a', true)`,
    )
    await db.query(`select realtime.send_binary('\\x0102'::bytea, 'bin', 'room-a', true)`)
    await expect.poll(() => got.length).toBe(3)
    const resolved = await Promise.all(got.map((text) => resolveRealtimeNotification(db, text)))
    expect(resolved[0]).toMatchObject({
      topic: 'room-a',
      event: 'small',
      private: false,
      payload: { type: 'json', value: { a: 1 } },
    })
    expect(JSON.parse(got[1] ?? '{}')).toMatchObject({ payload_omitted: true })
    expect(resolved[1]?.payload).toEqual({ type: 'json', value: { x: 'y'.repeat(9000) } })
    expect(resolved[2]?.payload).toEqual({ type: 'binary', bytes: new Uint8Array([1, 2]) })
    await unlisten()
    await unlisten()
    await db.query(`select realtime.send('{}'::jsonb, 'late', 'room-a', false)`)
    await db.query('select 1')
    expect(got).toHaveLength(3)
  })

  it('applies each migration once, atomically with its history row', async () => {
    const migrations = join(dir, 'migrations')
    await mkdir(migrations)
    await writeFile(
      join(migrations, '20260101000000_create_a.sql'),
      'create table public.a (x int);\n-- end',
    )
    await writeFile(join(migrations, 'README.md'), 'ignored')
    expect(await applyMigrations(db, migrations)).toEqual(['20260101000000'])
    expect(await applyMigrations(db, migrations)).toEqual([])
    await writeFile(
      join(migrations, '20260102000000_break_b.sql'),
      'create table public.b (x int);\nselect 1/0;',
    )
    await expect(applyMigrations(db, migrations)).rejects.toMatchObject({ code: '22012' })
    const history = await db.query<{ version: string; name: string; statements: string[] }>(
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    )
    expect(history.rows).toEqual([
      {
        version: '20260101000000',
        name: 'create_a',
        statements: ['create table public.a (x int)'],
      },
    ])
    const b = await db.query(`select to_regclass('public.b') as b`)
    expect(b.rows[0]).toEqual({ b: null })
  })

  it('runs a seed once per content', async () => {
    const seed = join(dir, 'seed.sql')
    await writeFile(seed, 'insert into public.t values (100, null, null);')
    expect(await applySeed(db, seed)).toBe(true)
    expect(await applySeed(db, seed)).toBe(false)
    expect(await applySeed(db, join(dir, 'missing.sql'))).toBe(false)
  })

  it('closes idempotently and rejects afterwards', async () => {
    const other = kind === 'pglite' ? await openDatabase('memory', { bootstrap: false }) : db
    if (other === db) return
    await other.close()
    await other.close()
    await expect(other.query('select 1')).rejects.toThrow('closed')
  })
})

describe('splitSqlStatements', () => {
  it('splits on top-level semicolons only', () => {
    const sql = `create function f() returns text language sql as $$ select 'a;b' $$;
      -- a comment; with a semicolon
      select 'it''s; fine', "we;ird", E'\\'; still';
      /* block; /* nested; */ */ select 2;`
    expect(splitSqlStatements(sql)).toEqual([
      `create function f() returns text language sql as $$ select 'a;b' $$`,
      `-- a comment; with a semicolon\n      select 'it''s; fine', "we;ird", E'\\'; still'`,
      `/* block; /* nested; */ */ select 2`,
    ])
  })
})
