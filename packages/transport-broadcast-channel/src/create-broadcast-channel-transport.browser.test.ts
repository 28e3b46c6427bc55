import { describe, expect, it } from 'vitest'
import type { ConversationId, PeerId, TransportMessage } from '@parley/core/ports'
import { transportContract } from '@parley/testing/contracts'
import { createBroadcastChannelTransport } from './create-broadcast-channel-transport.js'

transportContract('broadcast-channel (Chromium)', () => {
  const channelName = `parley-contract-${crypto.randomUUID()}`
  const raw = new BroadcastChannel(channelName)
  return {
    create: (peerId) => createBroadcastChannelTransport({ channelName, peerId }),
    injectRaw: (value) => raw.postMessage(value),
    dispose: () => raw.close(),
  }
})

// Runs in a Web Worker: a raw peer that answers the page's updates with every byte plus one, so
// the test sees structured clones of Uint8Array cross a real realm boundary both ways.
const WORKER_SOURCE = `
  const channel = new BroadcastChannel(self.name)
  channel.onmessage = (event) => {
    const m = event.data
    if (!m || m.type !== 'update' || m.from !== 'page') return
    const ok = m.update instanceof Uint8Array
    channel.postMessage({
      v: 1, type: 'update', from: 'worker', conversationId: m.conversationId,
      update: ok ? m.update.map((x) => x + 1) : new Uint8Array([255]),
    })
  }
  channel.postMessage({ v: 1, type: 'hello', from: 'worker' })
`

describe('createBroadcastChannelTransport in Chromium', () => {
  it('exchanges binary updates with a Web Worker on the same channel', async () => {
    const channelName = `parley-worker-${crypto.randomUUID()}`
    const conv = 'conv-worker' as ConversationId
    const page = createBroadcastChannelTransport({ channelName, peerId: 'page' })
    page.join(conv)
    const joined = new Promise<PeerId>((resolve) =>
      page.on('peer-joined', ({ peer }) => resolve(peer)),
    )
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }))
    const worker = new Worker(url, { name: channelName })
    try {
      expect(await joined).toBe('worker')
      const reply = new Promise<TransportMessage>((resolve) =>
        page.on('message', ({ message }) => resolve(message)),
      )
      expect(
        page.send({ type: 'update', conversationId: conv, update: new Uint8Array([1, 2, 3]) }),
      ).toBe(true)
      const message = await reply
      expect(message).toEqual({
        v: 1,
        type: 'update',
        from: 'worker',
        conversationId: conv,
        update: new Uint8Array([2, 3, 4]),
      })
      expect(message.type === 'update' && message.update).toBeInstanceOf(Uint8Array)
    } finally {
      worker.terminate()
      URL.revokeObjectURL(url)
      page.close()
    }
  })
})
