// One compaction of one conversation: the caller must be a member (checked with their own
// token), at most one snapshot per conversation per minute and only when at least 100 rows
// arrived since the last one; then the newest snapshot and the log after the pruned point are
// replayed through Parley's trust rules (`compactLog`), the result is stored as the new
// snapshot, and the log is pruned up to what the snapshot safely covers.
//
// Reads of the log go through the service role (the log's RPCs need a member; the service role
// is none). Membership and devices are read as the caller: `list_members` and
// `conversation_devices` are the server's own view, which the caller cannot change.
import { compactLog } from '@parley/core'
import type { SupabaseClient } from '@supabase/supabase-js'

/** Fewest log rows since the newest snapshot worth a compaction. */
export const MIN_NEW_ROWS = 100

/** Least time between two snapshots of one conversation. */
export const MIN_INTERVAL_MS = 60_000

/** Rows read per request (PostgREST's `max_rows`). */
const PAGE_ROWS = 1000

/** Most log rows and bytes replayed in one run; a longer log is finished by the next runs. */
const MAX_RUN_ROWS = 20_000
const MAX_RUN_BYTES = 64 * 1024 * 1024

/** A refusal the caller can act on: answered with `status` and `{ code, message }`. */
export class CompactError extends Error {
  override readonly name = 'CompactError'
  constructor(
    readonly code: 'PARLEY_NOT_MEMBER' | 'PARLEY_NOT_AUTHENTICATED',
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message)
  }
}

/** What a run did. */
export type CompactOutcome =
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'skipped'; reason: 'short-log' | 'nothing-new' }
  | {
      kind: 'compacted'
      /** The new snapshot stands for the log up to here (and the log is pruned up to here). */
      uptoSeq: number
      /** Rows the trust rules refused (left out of the snapshot). */
      rejected: number
      /** The first row that could not be judged yet (kept in the log, as is all after it). */
      heldFrom: number | null
      /** The conversation's pruned point after the run. */
      prunedUptoSeq: number
    }

/** Options of {@link compactConversation}. */
export interface CompactConversationOptions {
  conversationId: string
  /** A client that sends the caller's access token. */
  caller: SupabaseClient
  /** A service-role client. */
  service: SupabaseClient
  /** Clock, in ms. Default `Date.now`. */
  now?: () => number
}

/**
 * Runs one compaction.
 *
 * @throws {@link CompactError} when the caller is not a member or not signed in; any other
 *   error is the server's (answered 500).
 */
export async function compactConversation(
  options: CompactConversationOptions,
): Promise<CompactOutcome> {
  const { conversationId, caller, service } = options
  const now = options.now ?? Date.now
  const members = await callerRows<{ user_id: string; role: string }>(
    caller.rpc('list_members', { p_conversation_id: conversationId }),
  )

  const newest = await serviceRows<{ upto_seq: number; updated_at: string }>(
    service
      .from('conversation_snapshots')
      .select('upto_seq, updated_at')
      .eq('conversation_id', conversationId)
      .order('upto_seq', { ascending: false })
      .limit(1),
  )
  const baseSeq = Number(newest[0]?.upto_seq ?? 0)
  if (newest[0] !== undefined) {
    const age = now() - Date.parse(newest[0].updated_at)
    if (age < MIN_INTERVAL_MS) {
      return { kind: 'rate-limited', retryAfterSeconds: Math.ceil((MIN_INTERVAL_MS - age) / 1000) }
    }
  }
  const { count, error: countError } = await service
    .from('conversation_updates')
    .select('seq', { count: 'exact', head: true })
    .eq('conversation_id', conversationId)
    .gt('seq', baseSeq)
  if (countError) throw new Error(`counting log rows: ${countError.message}`)
  if ((count ?? 0) < MIN_NEW_ROWS) return { kind: 'skipped', reason: 'short-log' }

  const [conversation] = await serviceRows<{ pruned_upto_seq: number }>(
    service.from('conversations').select('pruned_upto_seq').eq('id', conversationId),
  )
  const prunedSeq = Number(conversation?.pruned_upto_seq ?? 0)
  const base =
    baseSeq === 0
      ? null
      : fromHex(
          (
            await serviceRows<{ state: string }>(
              service
                .from('conversation_snapshots')
                .select('state')
                .eq('conversation_id', conversationId)
                .eq('upto_seq', baseSeq),
            )
          )[0]?.state,
        )
  // From the pruned point, not from the snapshot: rows held by an earlier run (not in its
  // snapshot, so not pruned) get judged again. Rows already in the snapshot change nothing.
  const rows = await readLog(service, conversationId, prunedSeq)
  const devices = await callerRows<{ device_id: string; user_id: string; client_ids: number[] }>(
    caller.rpc('conversation_devices', { p_conversation_id: conversationId }),
  )

  const result = compactLog({
    conversationId,
    base,
    rows,
    devices: devices.map((d) => ({
      id: d.device_id,
      user: d.user_id,
      clientIds: d.client_ids.map(Number),
    })),
    members: members.map((m) => ({
      user: m.user_id,
      role: m.role === 'owner' ? 'owner' : 'member',
    })),
  })
  if (result.uptoSeq <= baseSeq) return { kind: 'skipped', reason: 'nothing-new' }

  const stored = await serviceRpc<{ stored: boolean; upto_seq: number }>(
    service.rpc('put_snapshot', {
      p_conversation_id: conversationId,
      p_state: toBase64(result.state),
      p_upto_seq: result.uptoSeq,
    }),
  )
  // The snapshot stands for every row up to uptoSeq (in it, or refused); a row whose
  // dependencies are missing stays in the log, and so does everything after it.
  let pruned = prunedSeq
  if (stored.stored && result.uptoSeq > pruned) {
    await serviceRpc(
      service.rpc('prune_updates', {
        p_conversation_id: conversationId,
        p_upto_seq: result.uptoSeq,
      }),
    )
    pruned = result.uptoSeq
  }
  return {
    kind: 'compacted',
    uptoSeq: result.uptoSeq,
    rejected: result.rejected.length,
    heldFrom: result.heldFrom,
    prunedUptoSeq: pruned,
  }
}

interface LogRow {
  seq: number
  update: Uint8Array
  author: string
  device: string | null
}

/** The log after `afterSeq`, in seq order, paged, up to the per-run limits. */
async function readLog(
  service: SupabaseClient,
  conversationId: string,
  afterSeq: number,
): Promise<LogRow[]> {
  const rows: LogRow[] = []
  let bytes = 0
  let cursor = afterSeq
  for (;;) {
    const page = await serviceRows<{
      seq: number
      update: string
      author: string
      device_id: string | null
    }>(
      service
        .from('conversation_updates')
        .select('seq, update, author, device_id')
        .eq('conversation_id', conversationId)
        .gt('seq', cursor)
        .order('seq', { ascending: true })
        .limit(PAGE_ROWS),
    )
    for (const row of page) {
      const update = fromHex(row.update)
      rows.push({
        seq: Number(row.seq),
        update,
        author: row.author,
        // Rows pushed before devices existed have none; the rules refuse them, as replicas do.
        device: row.device_id,
      })
      bytes += update.length
    }
    const last = page[page.length - 1]
    if (last === undefined || page.length < PAGE_ROWS) return rows
    if (rows.length >= MAX_RUN_ROWS || bytes >= MAX_RUN_BYTES) return rows
    cursor = Number(last.seq)
  }
}

interface PostgrestAnswer<T> {
  data: T | null
  error: { code?: string; hint?: string | null; message: string } | null
}

/** Rows of a call made with the caller's token; membership failures become {@link CompactError}. */
async function callerRows<T>(call: PromiseLike<PostgrestAnswer<T[]>>): Promise<T[]> {
  const { data, error } = await call
  if (error) {
    if (error.hint === 'PARLEY_NOT_MEMBER') {
      throw new CompactError('PARLEY_NOT_MEMBER', 403, 'not a member of this conversation')
    }
    // No user: the RPC refuses (or, for the anon role, may not even be executed: 42501).
    if (
      error.hint === 'PARLEY_NOT_AUTHENTICATED' ||
      error.code === '42501' ||
      error.code === 'PGRST301' ||
      error.code === 'PGRST303'
    ) {
      throw new CompactError('PARLEY_NOT_AUTHENTICATED', 401, 'sign in first')
    }
    throw new Error(`reading as the caller: ${error.message}`)
  }
  return data ?? []
}

async function serviceRows<T>(call: PromiseLike<PostgrestAnswer<T[]>>): Promise<T[]> {
  const { data, error } = await call
  if (error) throw new Error(`reading as the service role: ${error.message}`)
  return data ?? []
}

async function serviceRpc<T>(call: PromiseLike<PostgrestAnswer<T>>): Promise<T> {
  const { data, error } = await call
  if (error) throw new Error(`${error.hint ?? error.code ?? 'rpc'}: ${error.message}`)
  return data as T
}

/** PostgREST's bytea form, `\x` + hex. */
function fromHex(text: string | undefined): Uint8Array {
  if (typeof text !== 'string' || !text.startsWith('\\x') || text.length % 2 !== 0) {
    throw new Error('expected a bytea value as \\x + hex')
  }
  const bytes = new Uint8Array((text.length - 2) / 2)
  for (let i = 0; i < bytes.length; i++) {
    const byte = Number.parseInt(text.slice(2 + 2 * i, 4 + 2 * i), 16)
    if (Number.isNaN(byte)) throw new Error('expected a bytea value as \\x + hex')
    bytes[i] = byte
  }
  return bytes
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}
