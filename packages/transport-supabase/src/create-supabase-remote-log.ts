import {
  isClientUpdateId,
  isUuid,
  RemoteLogError,
  type ClientUpdateId,
  type ConversationId,
  type RemoteLog,
  type RemoteLogEvents,
  type RemoteLogInboxStatus,
  type RemoteLogListener,
} from '@parley/core/ports'
import type { SupabaseClient } from '@supabase/supabase-js'
import { encodeBase64 } from './base64.js'
import type { SupabaseExternalAuth } from './external-auth.js'
import { keepSessionFresh } from './keep-session-fresh.js'
import { mapFunctionError } from './map-function-error.js'
import { mapRpcError, type RpcFailure } from './map-rpc-error.js'
import {
  parseCompaction,
  parseConversation,
  parseConversations,
  parseDevices,
  parseInvite,
  parseMembers,
  parsePullRows,
  parsePushResults,
  parseSnapshot,
} from './parse-rpc-results.js'
import { resolveSupabaseClient, type SupabaseClientSource } from './resolve-supabase-client.js'
import { openSupabaseInbox, type SupabaseInbox } from './supabase-inbox.js'

/** Options of {@link createSupabaseRemoteLog}, besides the client source. */
export interface SupabaseRemoteLogSettings {
  /** Open the `inbox:<userId>` channel for notices. Default true. */
  inbox?: boolean
  /** Builds an invite link from a code (sets `RemoteInvite.url`), e.g. `` c => `${origin}/join/${c}` ``. Default: none. */
  inviteUrl?: (code: string) => string
  /** A call with no answer after this long fails with `network`, ms. Default 30,000. */
  timeoutMs?: number
  /** Refresh the session before it expires (see `keep-session-fresh.ts`). Default true. */
  keepSessionFresh?: boolean
  /**
   * The session is owned elsewhere and the client was made with supabase-js's `accessToken`
   * option: `client.auth` is never used; the inbox is the one of `externalAuth.userId`.
   */
  externalAuth?: SupabaseExternalAuth
  /** Receives every non-fatal error (besides the `error` event). */
  onError?: (error: RemoteLogError) => void
}

/** Options of {@link createSupabaseRemoteLog}: a client source plus settings. */
export type SupabaseRemoteLogOptions = SupabaseClientSource & SupabaseRemoteLogSettings

/** The Supabase remote log: a {@link RemoteLog} plus its client. */
export interface SupabaseRemoteLog extends RemoteLog {
  readonly client: SupabaseClient
}

/** The trusted compactor (supabase/functions/parley-compact), asked by `requestCompaction`. */
const COMPACT_FUNCTION = 'parley-compact'

function checkConversationId(operation: string, id: unknown): void {
  // The server would answer 22P02 for a non-UUID; failing here avoids a round trip.
  if (!isUuid(id))
    throw new RemoteLogError('invalid', `${operation}: the conversation id must be a UUID`, {
      operation,
    })
}

function invalid(operation: string, message: string, index?: number): RemoteLogError {
  return new RemoteLogError('invalid', `${operation}: ${message}`, {
    operation,
    ...(index !== undefined && { details: { index } }),
  })
}

/**
 * A {@link RemoteLog} on Supabase: the RPCs of supabase/migrations (docs/SCHEMA.md,
 * docs/TRUST.md) through supabase-js, bytes as base64, answers validated, errors mapped to
 * {@link RemoteLogError} codes (PostgREST `hint` = `PARLEY_*`, HTTP status, fetch failures),
 * compaction asked of the `parley-compact` Edge Function, and inbox notices from the private
 * channel `inbox:<userId>` of the signed-in user.
 *
 * Every call needs a signed-in user (`not-authenticated` otherwise). Conversation and device ids
 * must be UUIDs (`invalid` otherwise, without a request).
 */
export function createSupabaseRemoteLog(options: SupabaseRemoteLogOptions): SupabaseRemoteLog {
  const { client, owned } = resolveSupabaseClient(options)
  const timeoutMs = options.timeoutMs ?? 30_000
  const listeners = new Map<keyof RemoteLogEvents, Set<(payload: never) => void>>()
  let closed = false
  let inboxStatus: RemoteLogInboxStatus = options.inbox === false ? 'offline' : 'connecting'

  const emit = <E extends keyof RemoteLogEvents>(event: E, payload: RemoteLogEvents[E]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        ;(listener as RemoteLogListener<E>)(payload)
      } catch (cause) {
        // One listener's bug must not silence the others; it becomes an `error` event (unless
        // an error listener threw, which goes to onError only, so it cannot recurse).
        const error = new RemoteLogError('unknown', `a "${event}" listener threw`, { cause })
        if (event === 'error') callOnError(error)
        else report(error)
      }
    }
  }
  const callOnError = (error: RemoteLogError) => {
    try {
      options.onError?.(error)
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown
      })
    }
  }
  const report = (error: RemoteLogError) => {
    if (closed) return
    callOnError(error)
    emit('error', { error })
  }

  const checkOpen = (operation: string) => {
    if (closed)
      throw new RemoteLogError('closed', `${operation}: the remote log is closed`, { operation })
  }

  /** Calls one RPC: times out, maps failures, and returns the raw `data` to be parsed. */
  const rpc = async (operation: string, name: string, args: Record<string, unknown>) => {
    checkOpen(operation)
    let answer: { data: unknown; error: RpcFailure | null; status: number }
    try {
      answer = await client.rpc(name, args).abortSignal(AbortSignal.timeout(timeoutMs))
    } catch (cause) {
      // postgrest-js resolves with {error, status: 0} for fetch failures; a throw is anything else.
      throw new RemoteLogError('network', `${operation}: ${String(cause)}`, { operation, cause })
    }
    if (answer.error) throw mapRpcError(operation, answer.status, answer.error)
    return answer.data
  }

  let inbox: SupabaseInbox | undefined
  const cleanups: (() => void)[] = []
  if (options.externalAuth === undefined && (options.keepSessionFresh ?? true))
    cleanups.push(
      keepSessionFresh(client, (cause) =>
        report(new RemoteLogError('auth-expired', 'refreshing the session failed', { cause })),
      ),
    )
  if (options.inbox !== false) {
    inbox = openSupabaseInbox(
      client,
      {
        notice: (event, payload) => {
          if (!closed) emit(event, payload)
        },
        status: (status) => {
          inboxStatus = status
          if (!closed) emit('inbox-status', { status })
        },
        error: report,
      },
      options.externalAuth,
    )
  }

  const log: SupabaseRemoteLog = {
    kind: 'supabase',
    client,
    get inboxStatus() {
      return inboxStatus
    },

    async push(conversationId, entries) {
      checkConversationId('push', conversationId)
      if (entries.length === 0) {
        checkOpen('push')
        return []
      }
      const ids: ClientUpdateId[] = []
      const updates = entries.map((entry, index) => {
        if (
          !isClientUpdateId(entry.clientUpdateId) ||
          !(entry.update instanceof Uint8Array) ||
          !isUuid(entry.device) ||
          !(entry.signature instanceof Uint8Array)
        )
          throw invalid(
            'push',
            'each entry needs a UUID clientUpdateId, bytes, a UUID device and a signature',
            index,
          )
        ids.push(entry.clientUpdateId)
        return {
          client_update_id: entry.clientUpdateId,
          update: encodeBase64(entry.update),
          device_id: entry.device,
          signature: encodeBase64(entry.signature),
        }
      })
      const data = await rpc('push', 'push_updates', {
        p_conversation_id: conversationId,
        p_updates: updates,
      })
      return parsePushResults(data, ids)
    },

    async pull(conversationId, afterSeq, pullOptions) {
      checkConversationId('pull', conversationId)
      const limit = pullOptions?.limit ?? 500
      const data = await rpc('pull', 'pull_updates', {
        p_conversation_id: conversationId,
        p_after_seq: afterSeq,
        p_limit: limit,
      })
      const updates = parsePullRows(data, afterSeq)
      if (updates.length > limit)
        throw new RemoteLogError(
          'invalid-response',
          `pull: ${updates.length} rows for limit ${limit}`,
          {
            operation: 'pull',
          },
        )
      return {
        updates,
        hasMore: updates.length === limit,
        lastSeq: updates.at(-1)?.seq ?? afterSeq,
      }
    },

    async getSnapshot(conversationId, snapshotOptions) {
      checkConversationId('getSnapshot', conversationId)
      const data = await rpc('getSnapshot', 'get_snapshot', {
        p_conversation_id: conversationId,
        ...(snapshotOptions?.beforeSeq !== undefined && {
          p_before_seq: snapshotOptions.beforeSeq,
        }),
      })
      return parseSnapshot(data)
    },

    async requestCompaction(conversationId) {
      const operation = 'requestCompaction'
      checkConversationId(operation, conversationId)
      checkOpen(operation)
      let answer: { data: unknown; error: unknown }
      try {
        answer = await client.functions.invoke(COMPACT_FUNCTION, {
          body: { conversation_id: conversationId },
          timeout: timeoutMs,
        })
      } catch (cause) {
        // functions-js answers failures as `{ error }`; a throw is anything else.
        throw new RemoteLogError('network', `${operation}: ${String(cause)}`, { operation, cause })
      }
      if (answer.error !== null && answer.error !== undefined) {
        const error = await mapFunctionError(operation, answer.error)
        // Rate-limited per conversation: someone asked recently, which is what we wanted.
        if (error.code === 'rate-limited') return { started: false }
        throw error
      }
      return parseCompaction(answer.data)
    },

    async registerDevice(device) {
      const operation = 'registerDevice'
      if (!isUuid(device.id)) throw invalid(operation, 'the device id must be a UUID')
      if (!(device.publicKey instanceof Uint8Array) || !Array.isArray(device.clientIds))
        throw invalid(operation, 'a device needs a public key and an array of client ids')
      await rpc(operation, 'register_device', {
        p_device_id: device.id,
        p_public_key: encodeBase64(device.publicKey),
        p_client_ids: device.clientIds,
      })
    },

    async conversationDevices(conversationId) {
      checkConversationId('conversationDevices', conversationId)
      const data = await rpc('conversationDevices', 'conversation_devices', {
        p_conversation_id: conversationId,
      })
      return parseDevices(data)
    },

    async members(conversationId) {
      checkConversationId('members', conversationId)
      return parseMembers(
        await rpc('members', 'list_members', { p_conversation_id: conversationId }),
      )
    },

    async listConversations() {
      return parseConversations(await rpc('listConversations', 'list_conversations', {}))
    },

    async createConversation(conversation) {
      checkConversationId('createConversation', conversation.id)
      const data = await rpc('createConversation', 'create_conversation', {
        p_id: conversation.id,
        ...(conversation.title !== undefined && { p_title: conversation.title }),
        ...(conversation.kind !== undefined && { p_kind: conversation.kind }),
      })
      return parseConversation('createConversation', data)
    },

    async createInvite(conversationId, inviteOptions) {
      checkConversationId('createInvite', conversationId)
      const data = await rpc('createInvite', 'create_invite', {
        p_conversation_id: conversationId,
        ...(inviteOptions?.ttlSeconds !== undefined && { p_ttl_seconds: inviteOptions.ttlSeconds }),
        ...(inviteOptions?.maxUses !== undefined && { p_max_uses: inviteOptions.maxUses }),
      })
      const invite = parseInvite(data)
      const url = options.inviteUrl?.(invite.code)
      return url === undefined ? invite : { ...invite, url }
    },

    async joinConversation(code) {
      const data = await rpc('joinConversation', 'join_conversation', { p_code: code })
      return parseConversation('joinConversation', data)
    },

    async leaveConversation(conversationId: ConversationId) {
      checkConversationId('leaveConversation', conversationId)
      await rpc('leaveConversation', 'leave_conversation', { p_conversation_id: conversationId })
    },

    on(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as (payload: never) => void)
      return () => {
        set.delete(listener as (payload: never) => void)
      }
    },

    close() {
      if (closed) return
      // The inbox announces `closed` itself; without one, we do.
      if (inbox) inbox.close()
      else emit('inbox-status', { status: 'closed' })
      inboxStatus = 'closed'
      closed = true
      for (const cleanup of cleanups.splice(0)) cleanup()
      if (owned) void client.realtime.disconnect()
      listeners.clear()
    },
  }
  return log
}
