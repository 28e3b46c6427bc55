// The RLS suite's view of a Supabase project, shaped like supabase-js (`{ data, error }`), so the
// same tests can later run through the emulator's HTTP API by adding a client-backed
// implementation of `RlsClient` (the seam). Today every call goes straight to the database layer:
// `withRole` with crafted JWT claims, as PostgREST would run it.
import { randomBytes, randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import {
  applyProject,
  authorizeRealtime,
  isDatabaseError,
  openDatabase,
} from '../../packages/supabase-emulator/src/db/index.js'
import type { Database, RequestAuth } from '../../packages/supabase-emulator/src/db/index.js'

/** The PostgREST error body supabase-js hands back. */
export interface RlsError {
  code: string
  message: string
  details: string | null
  hint: string | null
}

/** A call's outcome, as supabase-js reports it. */
export interface RlsResult<T = unknown> {
  data: T | null
  error: RlsError | null
}

/** What one caller (a role plus claims) can do; mirrors the supabase-js calls Parley makes. */
export interface RlsClient {
  readonly userId: string | null
  /** The device `signUp` registered for this user (pushes name it), or null for anon/service. */
  readonly deviceId: string | null
  rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<RlsResult<T>>
  select<T = Record<string, unknown>>(
    table: string,
    match?: Record<string, string>,
  ): Promise<RlsResult<T[]>>
  insert(table: string, row: Record<string, unknown>): Promise<RlsResult<null>>
  update(
    table: string,
    patch: Record<string, unknown>,
    match: Record<string, string>,
  ): Promise<RlsResult<null>>
  delete(table: string, match: Record<string, string>): Promise<RlsResult<null>>
  /** Realtime private-channel check for a sub-topic (no `realtime:` prefix). */
  authorize(topic: string, extension: 'broadcast' | 'presence', write: boolean): Promise<boolean>
}

/** A project under test: fresh database, migrations applied. */
export interface RlsProject {
  readonly db: Database
  /**
   * A new signed-in (anonymous-provider) user with one registered device (`deviceId`, a random
   * 32-byte key, client ids from {@link randomClientIds}), as the engine does on first open.
   */
  signUp(): Promise<RlsClient>
  /** A caller with only the anon key. */
  anon(): RlsClient
  /** A caller with the service_role key. */
  service(): RlsClient
  close(): Promise<void>
}

const SUPABASE_DIR = fileURLToPath(new URL('../../supabase', import.meta.url))
const IDENT = /^[a-z_][a-z0-9_]*$/

/** Standard base64 of bytes, the RPCs' binary form. */
export const b64 = (bytes: number[] | Uint8Array): string => Buffer.from(bytes).toString('base64')

/**
 * A device public key as `register_device` takes it: 32 bytes, base64. Random bytes stand in for
 * an Ed25519 key: the server stores keys and signatures, replicas verify them.
 */
export const randomDeviceKey = (): string => b64(randomBytes(32))

/** A 64-byte stand-in for an Ed25519 signature, base64. */
export const randomSignature = (): string => b64(randomBytes(64))

/** `n` fresh Yjs-style client ids (random, 1..2^32 − 1, like Yjs' own). */
export const randomClientIds = (n = 4): number[] =>
  Array.from({ length: n }, () => randomBytes(4).readUInt32BE(0) || 1)

/** Opens a fresh project on PGlite (`'pglite'`) or in a new database of the server at `adminUrl`. */
export async function openRlsProject(target: 'pglite' | { adminUrl: string }): Promise<RlsProject> {
  let dropDatabase: (() => Promise<void>) | undefined
  let db: Database
  if (target === 'pglite') {
    db = await openDatabase('memory')
  } else {
    const name = `parley_rls_${Date.now()}_${randomUUID().slice(0, 8)}`
    const admin = new pg.Client({ connectionString: target.adminUrl })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(target.adminUrl)
    url.pathname = '/' + name
    db = await openDatabase({ url: url.toString() })
    dropDatabase = async () => {
      const again = new pg.Client({ connectionString: target.adminUrl })
      await again.connect()
      await again.query(`drop database if exists ${name} with (force)`)
      await again.end()
    }
  }
  await applyProject(db, SUPABASE_DIR)
  const signatures = new Map<string, Signature>()
  const signature = async (fn: string): Promise<Signature> => {
    let found = signatures.get(fn)
    if (!found) {
      found = await loadSignature(db, fn)
      signatures.set(fn, found)
    }
    return found
  }
  const exp = Math.floor(Date.now() / 1000) + 3600
  return {
    db,
    async signUp() {
      const id = randomUUID()
      await db.query(
        `insert into auth.users (id, aud, role, is_anonymous, raw_app_meta_data, raw_user_meta_data)
         values ($1, 'authenticated', 'authenticated', true, '{}', '{}')`,
        [id],
      )
      const auth: RequestAuth = {
        role: 'authenticated',
        claims: {
          role: 'authenticated',
          sub: id,
          aud: 'authenticated',
          exp,
          is_anonymous: true,
          session_id: randomUUID(),
        },
      }
      const client = createClient(db, auth, id, randomUUID(), signature)
      const registered = await client.rpc('register_device', {
        p_device_id: client.deviceId,
        p_public_key: randomDeviceKey(),
        p_client_ids: randomClientIds(),
      })
      if (registered.error) throw new Error(`register_device: ${registered.error.message}`)
      return client
    },
    anon() {
      return createClient(
        db,
        { role: 'anon', claims: { role: 'anon', iss: 'supabase-demo', exp } },
        null,
        null,
        signature,
      )
    },
    service() {
      return createClient(
        db,
        { role: 'service_role', claims: { role: 'service_role', iss: 'supabase-demo', exp } },
        null,
        null,
        signature,
      )
    },
    async close() {
      await db.close()
      await dropDatabase?.()
    },
  }
}

interface Signature {
  args: { name: string; type: string }[]
  returnsSet: boolean
  returnsVoid: boolean
}

async function loadSignature(db: Database, fn: string): Promise<Signature> {
  const result = await db.query<{
    names: string[] | null
    types: string[]
    modes: string[] | null
    retset: boolean
    rettype: string
  }>(
    `select p.proargnames as names, p.proretset as retset, p.proargmodes::text[] as modes,
       format_type(p.prorettype, null) as rettype,
       array(select format_type(t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) t) as types
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = $1`,
    [fn],
  )
  const row = result.rows[0]
  if (!row) throw new Error(`no function public.${fn}`)
  const args: { name: string; type: string }[] = []
  row.types.forEach((type, i) => {
    const mode = row.modes?.[i] ?? 'i'
    const name = row.names?.[i]
    if ((mode === 'i' || mode === 'b') && name) args.push({ name, type })
  })
  return { args, returnsSet: row.retset, returnsVoid: row.rettype === 'void' }
}

/** A Postgres array literal (`{1,"a b",NULL}`) for a JSON array. */
function arrayLiteral(values: unknown[]): string {
  const element = (v: unknown): string =>
    v === null || v === undefined
      ? 'NULL'
      : Array.isArray(v)
        ? arrayLiteral(v)
        : `"${String(v).replace(/["\\]/g, '\\$&')}"`
  return `{${values.map(element).join(',')}}`
}

function toRlsError(error: unknown): RlsError {
  if (isDatabaseError(error)) {
    return {
      code: error.code,
      message: error.message,
      details: error.detail ?? null,
      hint: error.hint ?? null,
    }
  }
  throw error
}

function columns(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record)
  for (const key of keys) if (!IDENT.test(key)) throw new Error(`bad column ${key}`)
  return keys
}

function where(match: Record<string, string>, offset: number): { sql: string; params: string[] } {
  const keys = columns(match)
  return {
    sql:
      keys.length === 0
        ? 'true'
        : keys.map((k, i) => `t.${k}::text = $${i + offset}`).join(' and '),
    params: keys.map((k) => match[k] ?? ''),
  }
}

function createClient(
  db: Database,
  auth: RequestAuth,
  userId: string | null,
  deviceId: string | null,
  signature: (fn: string) => Promise<Signature>,
): RlsClient {
  const run = async <T>(sql: string, params: unknown[]): Promise<RlsResult<T>> => {
    try {
      const rows = await db.withRole(
        auth,
        async (tx) => (await tx.query<{ result: T }>(sql, params)).rows,
      )
      return { data: rows[0]?.result ?? null, error: null }
    } catch (error) {
      return { data: null, error: toRlsError(error) }
    }
  }
  const table = (name: string): string => {
    if (!IDENT.test(name)) throw new Error(`bad table ${name}`)
    return `public.${name}`
  }
  return {
    userId,
    deviceId,
    async rpc<T>(fn: string, args: Record<string, unknown> = {}) {
      const sig = await signature(fn)
      const given = sig.args.filter((a) => a.name in args)
      // PostgREST binds JSON arguments through text input, so do the same.
      const params = given.map((a) => {
        const value = args[a.name]
        if (value === null || value === undefined) return null
        // A JSON array for an array parameter becomes an array, as PostgREST's json_to_record does.
        if (Array.isArray(value) && a.type.endsWith('[]')) return arrayLiteral(value)
        return typeof value === 'object' ? JSON.stringify(value) : String(value)
      })
      const call = `public.${fn}(${given.map((a, i) => `${a.name} => $${i + 1}::text::${a.type}`).join(', ')})`
      const sql = sig.returnsSet
        ? `select coalesce(json_agg(r), '[]'::json) as result from ${call} r`
        : sig.returnsVoid
          ? `select null::json as result from (select ${call}) v`
          : `select to_json(${call}) as result`
      return run<T>(sql, params)
    },
    async select<T>(name: string, match: Record<string, string> = {}) {
      const w = where(match, 1)
      return run<T[]>(
        `select coalesce(json_agg(t), '[]'::json) as result from ${table(name)} t where ${w.sql}`,
        w.params,
      )
    },
    async insert(name: string, row: Record<string, unknown>) {
      const cols = columns(row).join(', ')
      return run<null>(
        `insert into ${table(name)} (${cols}) select ${cols} from json_populate_record(null::${table(name)}, $1::json)`,
        [JSON.stringify(row)],
      )
    },
    async update(name: string, patch: Record<string, unknown>, match: Record<string, string>) {
      const cols = columns(patch).join(', ')
      const w = where(match, 2)
      return run<null>(
        `update ${table(name)} t set (${cols}) = (select ${cols} from json_populate_record(null::${table(name)}, $1::json)) where ${w.sql}`,
        [JSON.stringify(patch), ...w.params],
      )
    },
    async delete(name: string, match: Record<string, string>) {
      const w = where(match, 1)
      return run<null>(`delete from ${table(name)} t where ${w.sql}`, w.params)
    },
    authorize(topic, extension, write) {
      return authorizeRealtime(db, { auth, topic, extension, write })
    },
  }
}
