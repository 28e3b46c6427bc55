// The tab's methods come from the declaration: one per declared action, forwarding through the
// port; subscriptions hand their listener over and return the port's unsubscribe.
import { describe, expect, it } from 'vitest'
import { ENGINE_ACTIONS, type MessageId } from '@parley/core'
import { ClientEngineActions, type ClientActionPort } from './client-actions.js'

function recordingPort(): ClientActionPort & { log: unknown[][] } {
  const log: unknown[][] = []
  return {
    log,
    call: async (method, args) => {
      log.push(['call', method, ...args])
      return `${method}-result`
    },
    subscribe: (method, args, listener) => {
      log.push(['subscribe', method, ...args])
      listener(`${method}-value`)
      return () => log.push(['unsubscribe', method])
    },
  }
}

describe('ClientEngineActions', () => {
  it('has a method for every declared action', () => {
    const client = new ClientEngineActions(recordingPort())
    for (const name of Object.keys(ENGINE_ACTIONS)) {
      expect(typeof Reflect.get(client, name), name).toBe('function')
    }
  })

  it('forwards calls with their arguments, and their results', async () => {
    const port = recordingPort()
    const client = new ClientEngineActions(port)
    expect(await client.react('c1', 'm1' as MessageId, '👍')).toBe('react-result')
    await client.syncStatus()
    expect(port.log).toEqual([
      ['call', 'react', 'c1', 'm1', '👍'],
      ['call', 'syncStatus'],
    ])
  })

  it('hands a subscription its listener and returns the unsubscribe', () => {
    const port = recordingPort()
    const client = new ClientEngineActions(port)
    const seen: unknown[] = []
    const stop = client.subscribeConversation('c1', (state) => seen.push(state))
    expect(seen).toEqual(['subscribeConversation-value'])
    stop()
    expect(port.log).toEqual([
      ['subscribe', 'subscribeConversation', 'c1'],
      ['unsubscribe', 'subscribeConversation'],
    ])
  })

  it('lets a subclass replace one action', async () => {
    class Client extends ClientEngineActions {
      override markRead = async (_conversationId: string): Promise<void> => undefined
    }
    const port = recordingPort()
    const client = new Client(port)
    await client.markRead('c1')
    await client.retry('c1')
    expect(port.log).toEqual([['call', 'retry', 'c1']])
  })
})
