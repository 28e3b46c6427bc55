import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  isTransportError,
  type PeerId,
  type Transport,
  type TransportError,
  type TransportMessage,
  type TransportStatus,
  type ConversationId,
} from '@parley/core/ports'

/** What a transport implementation gives {@link transportContract}: a fresh, shared medium. */
export interface TransportContractHarness {
  /** Creates a transport with `peerId` on this harness's medium (one medium per harness). */
  create(peerId: string): Transport | Promise<Transport>
  /**
   * Puts a raw value on the medium as if a foreign sender had sent it, addressed to everyone.
   * A byte medium passes `Uint8Array`s as-is and may serialise other values any way it likes;
   * a structured-clone medium posts the value itself.
   */
  injectRaw(value: unknown): void | Promise<void>
  /** Releases the medium after each test (transports are closed before). */
  dispose?(): void | Promise<void>
}

/** Options of {@link transportContract}. */
export interface TransportContractOptions {
  /** How long to wait for an expected event before failing, in ms. Default 5,000. */
  timeoutMs?: number
}

/** Everything one transport emitted, with a way to wait for a condition on it. */
interface Recorder {
  readonly messages: TransportMessage[]
  readonly joined: PeerId[]
  readonly left: PeerId[]
  readonly statuses: TransportStatus[]
  readonly errors: TransportError[]
  until(what: string, predicate: () => boolean): Promise<void>
}

const conv1 = 'contract-conv-1' as ConversationId
const conv2 = 'contract-conv-2' as ConversationId
const conv3 = 'contract-conv-3' as ConversationId
const bytes = (...values: number[]) => new Uint8Array(values)
/** The first payload byte of a message: the tests tell messages apart by it. */
const firstByte = (m: TransportMessage): number =>
  (m.type === 'sync-request' ? m.stateVector[0] : m.update[0]) ?? -1
const firstBytes = (r: Recorder): number[] => r.messages.map(firstByte)

/** Values no transport may deliver: each must be dropped and reported exactly once. */
const GARBAGE: readonly unknown[] = [
  bytes(1, 2, 3),
  new Uint8Array(0),
  null,
  42,
  'update',
  [1, 'update'],
  { v: 1, type: 'update', from: 'mallory' },
  { v: 1, type: 'update', from: 'mallory', conversationId: conv1, update: 'not bytes' },
  { v: 1, type: 'update', from: 'has space', conversationId: conv1, update: bytes(1) },
  { v: 1, type: 'teleport', from: 'mallory', conversationId: conv1, update: bytes(1) },
  { v: 99, type: 'update', from: 'mallory', conversationId: conv1, update: bytes(1) },
]

/**
 * The acceptance suite every {@link Transport} passes (STYLE rule 7), as Vitest `describe`/`it`
 * blocks: discovery, delivery of every message type, isolation, no self-delivery, addressing,
 * conversation scoping, validation of garbage, listener failures, close. Call it at the top level
 * of a test file, in the environment the transport ships to.
 *
 * It asserts nothing about loss (the harness's medium must not lose messages during the suite)
 * and checks order only for transports that declare `ordered`.
 */
export function transportContract(
  name: string,
  makeHarness: () => TransportContractHarness | Promise<TransportContractHarness>,
  options: TransportContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 5_000
  // Captured at load so that a suite running under fake timers still times out.
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout

  describe(`${name}: transport contract`, () => {
    let harness: TransportContractHarness
    let created: Transport[] = []

    beforeEach(async () => {
      harness = await makeHarness()
      created = []
    })

    afterEach(async () => {
      for (const transport of created) transport.close()
      await harness.dispose?.()
    })

    const record = (transport: Transport): Recorder => {
      const waiters = new Set<() => void>()
      const recorder: Recorder = {
        messages: [],
        joined: [],
        left: [],
        statuses: [],
        errors: [],
        until(what, predicate) {
          if (predicate()) return Promise.resolve()
          return new Promise<void>((resolve, reject) => {
            const check = () => {
              if (!predicate()) return
              realClearTimeout(timer)
              waiters.delete(check)
              resolve()
            }
            const timer = realSetTimeout(() => {
              waiters.delete(check)
              reject(new Error(`${name}: timed out after ${timeoutMs} ms waiting for ${what}`))
            }, timeoutMs)
            waiters.add(check)
          })
        },
      }
      const notify = () => {
        for (const check of [...waiters]) check()
      }
      transport.on('message', ({ message }) => (recorder.messages.push(message), notify()))
      transport.on('peer-joined', ({ peer }) => (recorder.joined.push(peer), notify()))
      transport.on('peer-left', ({ peer }) => (recorder.left.push(peer), notify()))
      transport.on('status', ({ status }) => (recorder.statuses.push(status), notify()))
      transport.on('error', ({ error }) => (recorder.errors.push(error), notify()))
      return recorder
    }

    /** Creates transports with the given ids, each recorded and joined to `conversations`. */
    const open = async (ids: string[], conversations: ConversationId[] = [conv1]) => {
      const result: { t: Transport; r: Recorder }[] = []
      for (const id of ids) {
        const t = await harness.create(id)
        created.push(t)
        const r = record(t)
        for (const c of conversations) t.join(c)
        result.push({ t, r })
      }
      return result
    }

    const discovered = async (parties: { t: Transport; r: Recorder }[]) => {
      for (const { t, r } of parties) {
        for (const other of parties) {
          if (other.t === t) continue
          // peers() covers peers announced before the recorder subscribed.
          await r.until(`${t.peerId} to discover ${other.t.peerId}`, () =>
            t.peers().includes(other.t.peerId),
          )
        }
      }
    }

    it('starts online with its peer id', async () => {
      const [a] = await open(['contract-a'])
      expect(a?.t.peerId).toBe('contract-a')
      expect(a?.t.status).toBe('online')
      expect(typeof a?.t.kind).toBe('string')
      expect(typeof a?.t.ordered).toBe('boolean')
    })

    it('discovers peers in both directions', async () => {
      const parties = await open(['contract-a', 'contract-b', 'contract-c'])
      await discovered(parties)
      const [a] = parties
      expect(a?.t.peers().sort()).toEqual(['contract-b', 'contract-c'])
    })

    it('delivers every message type with its fields, stamped with v and from', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      const sent = [
        a.t.send({ type: 'update', conversationId: conv1, update: bytes(1, 2, 3) }),
        a.t.send({ type: 'awareness', conversationId: conv1, update: bytes(4) }),
        a.t.send({ type: 'sync-request', conversationId: conv1, stateVector: bytes(5, 0) }),
        a.t.send({
          type: 'sync-reply',
          to: b.t.peerId,
          conversationId: conv1,
          update: bytes(6),
          stateVector: bytes(7),
        }),
        a.t.send({ type: 'sync-reply', to: b.t.peerId, conversationId: conv1, update: bytes(8) }),
      ]
      expect(sent).toEqual([true, true, true, true, true])
      await b.r.until('5 messages', () => b.r.messages.length >= 5)
      const from = a.t.peerId
      const expected: TransportMessage[] = [
        { v: 1, from, type: 'update', conversationId: conv1, update: bytes(1, 2, 3) },
        { v: 1, from, type: 'awareness', conversationId: conv1, update: bytes(4) },
        { v: 1, from, type: 'sync-request', conversationId: conv1, stateVector: bytes(5, 0) },
        {
          v: 1,
          from,
          to: b.t.peerId,
          type: 'sync-reply',
          conversationId: conv1,
          update: bytes(6),
          stateVector: bytes(7),
        },
        { v: 1, from, to: b.t.peerId, type: 'sync-reply', conversationId: conv1, update: bytes(8) },
      ]
      expect([...b.r.messages].sort((x, y) => firstByte(x) - firstByte(y))).toEqual(expected)
      for (const m of b.r.messages) {
        const payload = m.type === 'sync-request' ? m.stateVector : m.update
        expect(payload).toBeInstanceOf(Uint8Array)
      }
    })

    it('copies payloads: mutating after send changes nothing', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      const update = bytes(1, 1, 1)
      a.t.send({ type: 'update', conversationId: conv1, update })
      update.fill(9)
      await b.r.until('the update', () => b.r.messages.length === 1)
      expect(b.r.messages[0]).toMatchObject({ update: bytes(1, 1, 1) })
    })

    it('never delivers a message to its sender', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(1) })
      await b.r.until('the update', () => b.r.messages.length === 1)
      b.t.send({ type: 'update', conversationId: conv1, update: bytes(2) })
      await a.r.until('the reply', () => a.r.messages.length >= 1)
      expect(firstBytes(a.r)).toEqual([2])
      expect(firstBytes(b.r)).toEqual([1])
    })

    it('delivers an addressed message to its addressee only', async () => {
      const [a, b, c] = await open(['contract-a', 'contract-b', 'contract-c'])
      if (!a || !b || !c) throw new Error('unreachable')
      a.t.send({ type: 'update', to: c.t.peerId, conversationId: conv1, update: bytes(1) })
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(2) })
      await b.r.until('the broadcast at b', () => b.r.messages.length >= 1)
      await c.r.until('both at c', () => c.r.messages.length >= 2)
      expect(firstBytes(b.r)).toEqual([2])
      expect(firstBytes(c.r).sort()).toEqual([1, 2])
    })

    it('delivers only for joined conversations, and stops after leave', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'], [conv1, conv2])
      if (!a || !b) throw new Error('unreachable')
      b.t.leave(conv2)
      a.t.send({ type: 'update', conversationId: conv2, update: bytes(1) })
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(2) })
      await b.r.until('the conv1 update', () => b.r.messages.length >= 1)
      b.t.leave(conv1)
      b.t.leave(conv1)
      b.t.join(conv3)
      b.t.join(conv3)
      // Sent in order after b's leave/join calls, which take effect at once on b's side.
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(3) })
      a.t.send({ type: 'update', conversationId: conv3, update: bytes(4) })
      await b.r.until('the conv3 update', () =>
        b.r.messages.some((m) => m.conversationId === conv3),
      )
      expect(b.r.messages.map((m) => [m.conversationId, firstByte(m)])).toEqual([
        [conv1, 2],
        [conv3, 4],
      ])
    })

    it('drops and reports every invalid input exactly once, then keeps working', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      for (const value of GARBAGE) await harness.injectRaw(value)
      await b.r.until(`${GARBAGE.length} errors`, () => b.r.errors.length >= GARBAGE.length)
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(7) })
      await b.r.until('the valid update', () => b.r.messages.length >= 1)
      expect(firstBytes(b.r)).toEqual([7])
      expect(b.r.errors).toHaveLength(GARBAGE.length)
      for (const error of b.r.errors) {
        expect(isTransportError(error)).toBe(true)
        expect(['invalid-message', 'unsupported-version']).toContain(error.code)
      }
      expect(b.t.status).toBe('online')
    })

    it('refuses to send an invalid message by throwing, without sending anything', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      expect(() =>
        a.t.send({ type: 'update', conversationId: conv1, update: new Uint8Array(0) }),
      ).toThrow(expect.objectContaining({ name: 'TransportError', code: 'invalid-message' }))
      expect(() =>
        a.t.send({ type: 'update', conversationId: 'bad/id' as ConversationId, update: bytes(1) }),
      ).toThrow()
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(3) })
      await b.r.until('the valid update', () => b.r.messages.length >= 1)
      expect(firstBytes(b.r)).toEqual([3])
    })

    it('stops calling a listener once it unsubscribed', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      let calls = 0
      const off = b.t.on('message', () => calls++)
      off()
      off()
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(1) })
      await b.r.until('the update', () => b.r.messages.length >= 1)
      expect(calls).toBe(0)
    })

    it('keeps delivering when a listener throws, and reports it as listener-failed', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      b.t.on('message', () => {
        throw new Error('listener bug')
      })
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(1) })
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(2) })
      await b.r.until('both updates', () => b.r.messages.length >= 2)
      await b.r.until('the listener errors', () => b.r.errors.length >= 2)
      expect(b.r.errors.map((e) => e.code)).toEqual(['listener-failed', 'listener-failed'])
    })

    it('keeps the send order per sender when it declares ordered', async () => {
      const [a, b] = await open(['contract-a', 'contract-b'])
      if (!a || !b) throw new Error('unreachable')
      const count = 50
      for (let i = 0; i < count; i++)
        a.t.send({ type: 'update', conversationId: conv1, update: bytes(i) })
      await b.r.until(`${count} updates`, () => b.r.messages.length >= count)
      const received = firstBytes(b.r)
      const inOrder = Array.from({ length: count }, (_, i) => i)
      if (a.t.ordered) expect(received).toEqual(inOrder)
      else expect([...received].sort((x, y) => x - y)).toEqual(inOrder)
    })

    it('closes idempotently: peers see it leave, nothing is delivered or emitted afterwards', async () => {
      const parties = await open(['contract-a', 'contract-b', 'contract-c'])
      await discovered(parties)
      const [a, b, c] = parties
      if (!a || !b || !c) throw new Error('unreachable')
      let lateCalls = 0
      b.t.on('message', () => lateCalls++)
      b.t.on('peer-left', () => lateCalls++)
      b.t.close()
      expect(b.t.status).toBe('closed')
      expect(b.r.statuses).toEqual(['closed'])
      expect(b.t.peers()).toEqual([])
      await a.r.until('b to leave', () => a.r.left.includes(b.t.peerId))
      await c.r.until('b to leave', () => c.r.left.includes(b.t.peerId))
      expect(a.t.peers()).not.toContain(b.t.peerId)

      expect(b.t.send({ type: 'update', conversationId: conv1, update: bytes(1) })).toBe(false)
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(2) })
      await c.r.until('the update at c', () => c.r.messages.length >= 1)
      expect(firstBytes(a.r)).toEqual([])
      b.t.close()
      expect(b.r.statuses).toEqual(['closed'])
      expect(b.r.messages).toEqual([])
      expect(lateCalls).toBe(0)

      // The same id can come back (a reload) and is discovered again.
      const [b2] = await open(['contract-b'])
      await a.r.until(
        'b to rejoin',
        () => a.r.joined.filter((p) => p === 'contract-b').length === 2,
      )
      a.t.send({ type: 'update', conversationId: conv1, update: bytes(3) })
      await b2?.r.until('the update at the new b', () => (b2?.r.messages.length ?? 0) >= 1)
      expect(b.r.messages).toEqual([])
    })
  })
}
