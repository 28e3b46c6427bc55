import { describe, expect, it } from 'vitest'
import { isRemoteLogError, type ConversationId } from '@parley/core/ports'
import type { SupabaseClient } from '@supabase/supabase-js'
import { resolveConversationTopic } from './resolve-conversation-topic.js'

const id = 'c0ffee00-0000-4000-8000-000000000001' as ConversationId

/** A client whose `conversation_topic` answers `answer`. */
const answering = (answer: { data: unknown; error: unknown; status: number }) =>
  ({
    rpc: (name: string, args: unknown) => {
      expect([name, args]).toEqual(['conversation_topic', { p_conversation_id: id }])
      return { abortSignal: () => Promise.resolve(answer) }
    },
  }) as unknown as SupabaseClient

const resolve = (answer: { data: unknown; error?: unknown; status?: number }) =>
  resolveConversationTopic(
    { client: answering({ error: null, status: 200, ...answer }), topicPrefix: undefined },
    id,
  ).catch((error: unknown) => error)

describe('resolveConversationTopic', () => {
  it("answers the server's epoch topic of the conversation", async () => {
    const topic = `conversation:${id}:${'ab'.repeat(16)}`
    expect(await resolve({ data: topic })).toBe(topic)
  })

  it('answers a fixed prefix without asking', async () => {
    const client = {} as SupabaseClient
    expect(await resolveConversationTopic({ client, topicPrefix: 'demo:' }, id)).toBe(`demo:${id}`)
  })

  it('refuses a topic of another conversation, or anything that is not one', async () => {
    const other = `conversation:c0ffee00-0000-4000-8000-000000000002:${'ab'.repeat(16)}`
    for (const data of [other, `conversation:${id}x`, `conversation:${id}:a:b`, 42, null])
      expect(isRemoteLogError(await resolve({ data }), 'invalid-response')).toBe(true)
  })

  it('maps refusals like every RPC', async () => {
    const error = await resolve({
      data: null,
      status: 400,
      error: { code: 'P0001', hint: 'PARLEY_NOT_MEMBER', message: 'not a member' },
    })
    expect(isRemoteLogError(error, 'forbidden')).toBe(true)
  })
})
