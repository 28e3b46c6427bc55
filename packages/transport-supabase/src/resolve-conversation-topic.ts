// Where a conversation's live channel is. Realtime admits a member only to the current topic
// `conversation:<id>:<epoch>` (docs/TRUST.md), whose epoch changes when someone leaves, so the
// room asks the server (`conversation_topic`) before every join instead of deriving the name.
import { RemoteLogError, type ConversationId } from '@parley/core/ports'
import { mapRpcError, type RpcFailure } from './map-rpc-error.js'
import type { SupabaseTransportContext } from './supabase-transport-context.js'

/** An answer of `conversation_topic` that takes longer fails with `network`, ms. */
const TOPIC_TIMEOUT_MS = 15_000

/** The epoch part of a topic: the server's is 32 hex digits; any short token is accepted. */
const EPOCH_PATTERN = /^:[A-Za-z0-9_-]{1,64}$/

/**
 * The topic to join for conversation `id`: `<topicPrefix><id>` when the transport has a fixed
 * prefix, else the server's answer, checked to be a topic of this conversation. Rejects with a
 * {@link RemoteLogError} (`forbidden` when the caller is not a member, `invalid-response` for
 * an answer that names another conversation, retryable codes for the network).
 */
export async function resolveConversationTopic(
  context: Pick<SupabaseTransportContext, 'client' | 'topicPrefix'>,
  id: ConversationId,
): Promise<string> {
  if (context.topicPrefix !== undefined) return `${context.topicPrefix}${id}`
  const operation = 'conversationTopic'
  let answer: { data: unknown; error: RpcFailure | null; status: number }
  try {
    answer = await context.client
      .rpc('conversation_topic', { p_conversation_id: id })
      .abortSignal(AbortSignal.timeout(TOPIC_TIMEOUT_MS))
  } catch (cause) {
    // postgrest-js resolves with {error, status: 0} for fetch failures; a throw is anything else.
    throw new RemoteLogError('network', `${operation}: ${String(cause)}`, { operation, cause })
  }
  if (answer.error) throw mapRpcError(operation, answer.status, answer.error)
  const topic = answer.data
  const base = `conversation:${id}`
  if (
    typeof topic !== 'string' ||
    topic.slice(0, base.length).toLowerCase() !== base.toLowerCase() ||
    !(topic.length === base.length || EPOCH_PATTERN.test(topic.slice(base.length)))
  )
    throw new RemoteLogError(
      'invalid-response',
      `${operation}: the server answered ${JSON.stringify(topic)}, not a topic of ${id}`,
      { operation },
    )
  return topic
}
