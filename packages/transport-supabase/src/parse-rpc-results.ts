// Validation of RPC answers: the server is a trust boundary like any other (STYLE rule 4). Each
// parser returns the typed value or throws a RemoteLogError `invalid-response` naming the field.
import {
  isClientUpdateId,
  isUuid,
  RemoteLogError,
  type ClientUpdateId,
  type ConversationId,
  type DeviceId,
  type RemoteCompactionResult,
  type RemoteConversation,
  type RemoteDevice,
  type RemoteInvite,
  type RemoteMember,
  type RemoteMemberRole,
  type RemoteSnapshot,
  type RemoteUpdate,
  type UserId,
} from '@parley/core/ports'
import { decodeBase64 } from './base64.js'

type Row = Record<string, unknown>

/** Reads the fields of one answer, throwing `invalid-response` at the first bad one. */
class Reader {
  constructor(
    private readonly operation: string,
    private readonly row: Row,
  ) {}

  fail(field: string, expected: string): never {
    throw new RemoteLogError(
      'invalid-response',
      `${this.operation}: the server answered a bad ${field} (expected ${expected})`,
      { operation: this.operation },
    )
  }

  uuid(field: string): string {
    const value = this.row[field]
    return isUuid(value) ? value : this.fail(field, 'a UUID')
  }

  nullableUuid(field: string): string | null {
    return this.row[field] === null ? null : this.uuid(field)
  }

  string(field: string): string {
    const value = this.row[field]
    return typeof value === 'string' ? value : this.fail(field, 'a string')
  }

  seq(field: string): number {
    const value = this.row[field]
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? value
      : this.fail(field, 'a non-negative integer')
  }

  nullableSeq(field: string): number | null {
    return this.row[field] === null || this.row[field] === undefined ? null : this.seq(field)
  }

  boolean(field: string): boolean {
    const value = this.row[field]
    return typeof value === 'boolean' ? value : this.fail(field, 'a boolean')
  }

  time(field: string): number {
    const value = this.row[field]
    const ms = typeof value === 'string' ? Date.parse(value) : NaN
    return Number.isFinite(ms) ? ms : this.fail(field, 'a timestamp')
  }

  nullableTime(field: string): number | null {
    return this.row[field] === null || this.row[field] === undefined ? null : this.time(field)
  }

  bytes(field: string, length?: number): Uint8Array {
    const value = this.row[field]
    const decoded = typeof value === 'string' ? decodeBase64(value) : null
    if (decoded !== null && (length === undefined || decoded.byteLength === length)) return decoded
    return this.fail(field, length === undefined ? 'base64 bytes' : `${length} base64 bytes`)
  }

  role(field: string): RemoteMemberRole {
    const value = this.row[field]
    return value === 'owner' || value === 'member' ? value : this.fail(field, "'owner' or 'member'")
  }

  /** Yjs client ids: an array of integers 1 to 2^53 − 1 (Postgres `bigint[]` as JSON numbers). */
  clientIds(field: string): number[] {
    const value = this.row[field]
    if (!Array.isArray(value)) return this.fail(field, 'an array of client ids')
    return value.map((id: unknown) =>
      typeof id === 'number' && Number.isSafeInteger(id) && id >= 1
        ? id
        : this.fail(field, 'client ids between 1 and 2^53 - 1'),
    )
  }
}

/** Bytes of an Ed25519 signature and of a raw Ed25519 public key. */
const SIGNATURE_BYTES = 64
const PUBLIC_KEY_BYTES = 32

function asRow(operation: string, value: unknown): Row {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Row
  throw new RemoteLogError('invalid-response', `${operation}: the server answered a non-object`, {
    operation,
  })
}

function asRows(operation: string, value: unknown): Row[] {
  if (!Array.isArray(value))
    throw new RemoteLogError('invalid-response', `${operation}: the server answered a non-array`, {
      operation,
    })
  return value.map((item) => asRow(operation, item))
}

/** A `list_conversations` row / conversation summary. */
export function parseConversation(operation: string, value: unknown): RemoteConversation {
  const r = new Reader(operation, asRow(operation, value))
  const role = r.role('role')
  return {
    id: r.uuid('id') as ConversationId,
    title: r.string('title'),
    kind: r.string('kind'),
    createdBy: r.nullableUuid('created_by') as UserId | null,
    createdAt: r.time('created_at'),
    role,
    joinedAt: r.time('joined_at'),
    lastSeq: r.seq('last_seq'),
    lastUpdateAt: r.nullableTime('last_update_at'),
    prunedUptoSeq: r.seq('pruned_upto_seq'),
    snapshotUptoSeq: r.nullableSeq('snapshot_upto_seq'),
  }
}

/** `list_conversations`. */
export function parseConversations(value: unknown): RemoteConversation[] {
  return asRows('listConversations', value).map((row) =>
    parseConversation('listConversations', row),
  )
}

/** `push_updates` rows: exactly one per input id, in input order. */
export function parsePushResults(
  value: unknown,
  ids: readonly ClientUpdateId[],
): { clientUpdateId: ClientUpdateId; seq: number; duplicate: boolean }[] {
  const rows = asRows('push', value)
  if (rows.length !== ids.length)
    throw new RemoteLogError(
      'invalid-response',
      `push: the server answered ${rows.length} results for ${ids.length} updates`,
      { operation: 'push' },
    )
  return rows.map((row, i) => {
    const r = new Reader('push', row)
    const id = ids[i] as ClientUpdateId
    if (r.uuid('client_update_id').toLowerCase() !== id.toLowerCase())
      r.fail('client_update_id', `${id} at position ${i}`)
    const seq = r.seq('seq')
    if (seq < 1) r.fail('seq', 'a seq >= 1')
    return { clientUpdateId: id, seq, duplicate: r.boolean('duplicate') }
  })
}

/**
 * `pull_updates` rows, checked to be ascending and after `afterSeq`. A row without a device (its
 * user was deleted, or it was pushed before devices existed) comes with `device: null`; replicas
 * refuse it, but the rows after it still flow.
 */
export function parsePullRows(value: unknown, afterSeq: number): RemoteUpdate[] {
  let previous = afterSeq
  return asRows('pull', value).map((row) => {
    const r = new Reader('pull', row)
    const seq = r.seq('seq')
    if (seq <= previous) r.fail('seq', `ascending seqs after ${previous}`)
    previous = seq
    const clientUpdateId = r.uuid('client_update_id')
    if (!isClientUpdateId(clientUpdateId)) r.fail('client_update_id', 'a UUID')
    return {
      seq,
      update: r.bytes('update'),
      author: r.uuid('author') as UserId,
      device: r.nullableUuid('device_id') as DeviceId | null,
      signature: row.signature === null ? null : r.bytes('signature', SIGNATURE_BYTES),
      clientUpdateId: clientUpdateId as ClientUpdateId,
      createdAt: r.time('created_at'),
    }
  })
}

/** `get_snapshot`: null or a snapshot. */
export function parseSnapshot(value: unknown): RemoteSnapshot | null {
  if (value === null) return null
  const r = new Reader('getSnapshot', asRow('getSnapshot', value))
  return {
    state: r.bytes('state'),
    uptoSeq: r.seq('upto_seq'),
    createdBy: r.nullableUuid('created_by') as UserId | null,
    updatedAt: r.time('updated_at'),
  }
}

/** `conversation_devices` rows. */
export function parseDevices(value: unknown): RemoteDevice[] {
  const operation = 'conversationDevices'
  return asRows(operation, value).map((row) => {
    const r = new Reader(operation, row)
    return {
      id: r.uuid('device_id') as DeviceId,
      user: r.uuid('user_id') as UserId,
      publicKey: r.bytes('public_key', PUBLIC_KEY_BYTES),
      clientIds: r.clientIds('client_ids'),
    }
  })
}

/** `list_members` rows. */
export function parseMembers(value: unknown): RemoteMember[] {
  const operation = 'members'
  return asRows(operation, value).map((row) => {
    const r = new Reader(operation, row)
    return {
      user: r.uuid('user_id') as UserId,
      role: r.role('role'),
      joinedAt: r.time('joined_at'),
    }
  })
}

/** The JSON answer of the `parley-compact` Edge Function. */
export function parseCompaction(value: unknown): RemoteCompactionResult {
  const operation = 'requestCompaction'
  return { started: new Reader(operation, asRow(operation, value)).boolean('started') }
}

/** `create_invite`; `url` is added by the caller. */
export function parseInvite(value: unknown): RemoteInvite {
  const r = new Reader('createInvite', asRow('createInvite', value))
  const maxUses = r.nullableSeq('max_uses')
  return {
    code: r.string('code'),
    conversationId: r.uuid('conversation_id') as ConversationId,
    expiresAt: r.nullableTime('expires_at'),
    maxUses,
    uses: r.seq('uses'),
  }
}
