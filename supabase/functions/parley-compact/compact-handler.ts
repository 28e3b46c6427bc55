// The HTTP side of parley-compact: CORS, method, body and token checks, and one JSON answer for
// every outcome (errors carry a `PARLEY_*` code that @parley/transport-supabase maps).
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { compactConversation, CompactError } from './compact-conversation.ts'

/** What the function needs from its environment. */
export interface CompactEnv {
  url: string
  /** The anon (or publishable) key: the caller's requests go out with it and their token. */
  anonKey: string
  /** The service role (or secret) key: reads the log and writes the snapshot. */
  serviceKey: string
}

// What supabase-js sends (`@supabase/supabase-js/cors`), for browsers calling a hosted project.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers':
    'authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage',
  'access-control-allow-methods': 'POST, OPTIONS',
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...CORS_HEADERS, 'content-type': 'application/json' },
  })
}

function failure(status: number, code: string, message: string, details?: unknown): Response {
  return json(status, { code, message, ...(details !== undefined && { details }) })
}

function client(env: CompactEnv, key: string, authorization?: string): SupabaseClient {
  return createClient(env.url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    ...(authorization !== undefined && { global: { headers: { Authorization: authorization } } }),
  })
}

/** Answers one request to the function. Never rejects. */
export async function handleCompactRequest(request: Request, env: CompactEnv): Promise<Response> {
  if (request.method === 'OPTIONS') return new Response('ok', { headers: CORS_HEADERS })
  if (request.method !== 'POST') {
    return failure(405, 'PARLEY_INVALID_ARGUMENT', 'use POST { "conversation_id": "<uuid>" }')
  }
  const authorization = request.headers.get('authorization')
  if (authorization === null || !/^Bearer \S+$/.test(authorization)) {
    return failure(
      401,
      'PARLEY_NOT_AUTHENTICATED',
      "sign in first: the caller's access token is required",
    )
  }
  let conversationId: unknown
  try {
    conversationId = ((await request.json()) as { conversation_id?: unknown } | null)
      ?.conversation_id
  } catch {
    return failure(400, 'PARLEY_INVALID_ARGUMENT', 'the body must be JSON')
  }
  if (typeof conversationId !== 'string' || !UUID.test(conversationId)) {
    return failure(400, 'PARLEY_INVALID_ARGUMENT', 'conversation_id must be a UUID', {
      argument: 'conversation_id',
    })
  }
  try {
    const outcome = await compactConversation({
      conversationId: conversationId.toLowerCase(),
      caller: client(env, env.anonKey, authorization),
      service: client(env, env.serviceKey),
    })
    switch (outcome.kind) {
      case 'rate-limited':
        return json(429, {
          started: false,
          code: 'PARLEY_RATE_LIMITED',
          message: 'this conversation was compacted less than 60 s ago',
          details: { retry_after_s: outcome.retryAfterSeconds },
        })
      case 'skipped':
        return json(200, { started: false, reason: outcome.reason })
      case 'compacted':
        return json(200, {
          started: true,
          upto_seq: outcome.uptoSeq,
          rejected: outcome.rejected,
          held_from: outcome.heldFrom,
          pruned_upto_seq: outcome.prunedUptoSeq,
        })
    }
  } catch (error) {
    if (error instanceof CompactError) return failure(error.status, error.code, error.message)
    console.error('parley-compact: compaction failed', error)
    return failure(500, 'PARLEY_INTERNAL', 'the compaction failed (see the function logs)')
  }
}
