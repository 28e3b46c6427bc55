import { afterEach, describe, expect, it, vi } from 'vitest'
import type {
  ConversationId,
  PeerId,
  Transport,
  TransportError,
  TransportMessage,
} from '@parley/core/ports'
import { transportContract } from '@parley/testing/contracts'
import { createBroadcastChannelTransport } from './create-broadcast-channel-transport.js'

const conv = 'conv-1' as ConversationId
const bytes = (...values: number[]) => new Uint8Array(values)

transportContract('broadcast-channel (Node)', () => {
  const channelName = `parley-contract-${crypto.randomUUID()}`
  const raw = new BroadcastChannel(channelName)
  return {
    create: (peerId) => createBroadcastChannelTransport({ channelName, peerId }),
    injectRaw: (value) => raw.postMessage(value),
    dispose: () => raw.close(),
  }
})

const opened: { close(): void }[] = []
afterEach(() => {
  for (const item of opened.splice(0)) item.close()
  vi.useRealTimers()
})

/** Resolves with the first event payload that `pick` maps to a value other than undefined. */
function next<T>(
  subscribe: (listener: (value: unknown) => void) => () => void,
  pick: (value: unknown) => T | undefined,
): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      const picked = pick(value)
      if (picked === undefined) return
      off()
      resolve(picked)
    })
  })
}

function open(channelName: string, peerId: string, signal?: AbortSignal): Transport {
  const transport = createBroadcastChannelTransport({
    channelName,
    peerId,
    ...(signal ? { signal } : {}),
  })
  opened.push(transport)
  return transport
}

describe('createBroadcastChannelTransport', () => {
  it('is event-driven: it schedules no timer', () => {
    vi.useFakeTimers()
    const a = open(`t-${crypto.randomUUID()}`, 'a')
    a.join(conv)
    a.send({ type: 'update', conversationId: conv, update: bytes(1) })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('closes when its AbortSignal aborts, once, and not at all when already aborted', async () => {
    const name = `t-${crypto.randomUUID()}`
    const controller = new AbortController()
    const a = open(name, 'a', controller.signal)
    const b = open(name, 'b')
    await next(
      (l) => b.on('peer-joined', l),
      (v) => v,
    )
    a.join(conv)
    const statuses: string[] = []
    const delivered: TransportMessage[] = []
    a.on('status', ({ status }) => statuses.push(status))
    a.on('message', ({ message }) => delivered.push(message))
    const left = next(
      (l) => b.on('peer-left', l),
      (v) => (v as { peer: PeerId }).peer,
    )
    controller.abort()
    controller.abort()
    a.close()
    expect(a.status).toBe('closed')
    expect(statuses).toEqual(['closed'])
    expect(await left).toBe('a')
    b.send({ type: 'update', conversationId: conv, update: bytes(1) })

    let constructed = 0
    const Counting = class extends BroadcastChannel {
      constructor(name: string) {
        super(name)
        constructed++
      }
    }
    const aborted = AbortSignal.abort()
    const c = createBroadcastChannelTransport({
      channelName: name,
      signal: aborted,
      BroadcastChannel: Counting,
    })
    expect(c.status).toBe('closed')
    expect(c.send({ type: 'update', conversationId: conv, update: bytes(1) })).toBe(false)
    expect(constructed).toBe(0)
    // A third peer as a barrier: once it has b's later message, a would have had the earlier one.
    const d = open(name, 'd')
    d.join(conv)
    const atD = next(
      (l) => d.on('message', l),
      (v) => v,
    )
    b.send({ type: 'update', conversationId: conv, update: bytes(2) })
    await atD
    expect(delivered).toEqual([])
  })

  it('reports a restarted peer as left and joined again, and answers its hello', async () => {
    const name = `t-${crypto.randomUUID()}`
    const a = open(name, 'a')
    const b1 = open(name, 'b')
    await next(
      (l) => a.on('peer-joined', l),
      (v) => v,
    )
    const events: string[] = []
    a.on('peer-left', ({ peer }) => events.push(`left ${peer}`))
    a.on('peer-joined', ({ peer }) => events.push(`joined ${peer}`))
    // A reload that skipped close(): the old context vanishes, the new one says hello with the same id.
    b1.close()
    await next(
      (l) => a.on('peer-left', l),
      (v) => v,
    )
    const b2 = open(name, 'b')
    const b2SawA = next(
      (l) => b2.on('peer-joined', l),
      (v) => (v as { peer: PeerId }).peer,
    )
    expect(await b2SawA).toBe('a')
    expect(events).toEqual(['left b', 'joined b'])
  })

  it('adopts a peer whose hello it missed, and introduces itself', async () => {
    const name = `t-${crypto.randomUUID()}`
    const raw = new BroadcastChannel(name)
    opened.push(raw)
    const replies: unknown[] = []
    const reply = new Promise<void>((resolve) => {
      raw.onmessage = (event: MessageEvent<unknown>) => {
        const data = event.data as { type?: string; to?: string }
        if (data.type === 'hello' && data.to === 'ghost') {
          replies.push(data)
          resolve()
        }
      }
    })
    const b = open(name, 'b')
    b.join(conv)
    const joined = next(
      (l) => b.on('peer-joined', l),
      (v) => (v as { peer: PeerId }).peer,
    )
    const message = next(
      (l) => b.on('message', l),
      (v) => (v as { message: TransportMessage }).message,
    )
    raw.postMessage({ v: 1, type: 'update', from: 'ghost', conversationId: conv, update: bytes(5) })
    expect(await joined).toBe('ghost')
    expect(await message).toEqual({
      v: 1,
      type: 'update',
      from: 'ghost',
      conversationId: conv,
      update: bytes(5),
    })
    await reply
    expect(replies).toEqual([{ v: 1, type: 'hello', from: 'b', to: 'ghost' }])
    expect(b.peers()).toEqual(['ghost'])
  })

  it('reports a refused post as send-failed and returns false', () => {
    const errors: TransportError[] = []
    const Refusing = class extends BroadcastChannel {
      override postMessage(message: unknown): void {
        if ((message as { type?: string }).type === 'update')
          throw new DOMException('no', 'DataCloneError')
        super.postMessage(message)
      }
    }
    const a = createBroadcastChannelTransport({
      channelName: `t-${crypto.randomUUID()}`,
      BroadcastChannel: Refusing,
      onError: (error) => errors.push(error),
    })
    opened.push(a)
    expect(a.send({ type: 'update', conversationId: conv, update: bytes(1) })).toBe(false)
    expect(errors.map((e) => e.code)).toEqual(['send-failed'])
    expect(errors[0]?.cause).toBeInstanceOf(DOMException)
  })

  it('defaults to the channel "parley" and a random UUID peer id; needs a BroadcastChannel', () => {
    const names: string[] = []
    const Recording = class extends BroadcastChannel {
      constructor(name: string) {
        super(name)
        names.push(name)
      }
    }
    const a = createBroadcastChannelTransport({ BroadcastChannel: Recording })
    opened.push(a)
    expect(names).toEqual(['parley'])
    expect(a.peerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(a.kind).toBe('broadcast-channel')
    expect(() => createBroadcastChannelTransport({ peerId: 'not valid!' })).toThrow()
    vi.stubGlobal('BroadcastChannel', undefined)
    try {
      expect(() => createBroadcastChannelTransport()).toThrow(
        expect.objectContaining({ name: 'TransportError' }),
      )
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
