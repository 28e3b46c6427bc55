// Garbage, oversize and abusive input to the Realtime emulator, over raw WebSockets. Each case
// checks what the offending client gets (the reply or close Supabase gives) and that a
// well-behaved client on the same server is unaffected.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  createRealtimeServer,
  DEFAULT_ANON_KEY,
  DEFAULT_JWT_SECRET,
  openDatabase,
  signJwt,
  type Database,
  type RealtimeServer,
} from '@parley/supabase-emulator'

const JOIN_ERROR_DELAY_MS = 50

let db: Database
let main: TestServer
let base = ''

interface TestServer {
  base: string
  realtime: RealtimeServer
  close(): Promise<void>
}

/** A Realtime server on its own loopback port (no Auth or REST: raw sockets need neither). */
async function startServer(heartbeatTimeoutMs?: number): Promise<TestServer> {
  const realtime = createRealtimeServer({
    db,
    jwtSecret: DEFAULT_JWT_SECRET,
    joinErrorDelayMs: JOIN_ERROR_DELAY_MS,
    connectErrorDelayMs: 0,
    ...(heartbeatTimeoutMs !== undefined && { heartbeatTimeoutMs }),
    logger: { warn: () => undefined, error: (message) => expect.fail(message) },
  })
  await realtime.ready
  const server = createServer((_req, res) => res.writeHead(404).end())
  server.on('upgrade', (req, socket, head) => realtime.handleUpgrade(req, socket, head))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/realtime/v1/websocket`,
    realtime,
    async close() {
      await realtime.close()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

beforeAll(async () => {
  db = await openDatabase('memory')
  main = await startServer()
  base = main.base
})

afterAll(async () => {
  await main.close()
  await db.close()
})

type Frame = [string | null, string | null, string, string, Record<string, unknown>]

/** A raw vsn 2.0.0 client that records every text frame it receives. */
class RawClient {
  readonly frames: Frame[] = []
  readonly binaries: Buffer[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  #waiters: (() => void)[] = []
  #ref = 0

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buffer = Buffer.from(data as Buffer)
      if (isBinary) this.binaries.push(buffer)
      else this.frames.push(JSON.parse(buffer.toString('utf8')) as Frame)
      for (const wake of this.#waiters.splice(0)) wake()
    })
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() })
        for (const wake of this.#waiters.splice(0)) wake()
      }),
    )
  }

  static async open(
    query = `apikey=${DEFAULT_ANON_KEY}&vsn=2.0.0`,
    url = base,
  ): Promise<RawClient> {
    const ws = new WebSocket(`${url}?${query}`)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return new RawClient(ws)
  }

  nextRef(): string {
    this.#ref += 1
    return String(this.#ref)
  }

  push(topic: string, event: string, payload: unknown, joinRef: string | null = null): string {
    const ref = this.nextRef()
    this.ws.send(JSON.stringify([joinRef, ref, topic, event, payload]))
    return ref
  }

  async join(topic: string, config: Record<string, unknown> = {}): Promise<string> {
    const ref = this.push(topic, 'phx_join', { config }, null)
    const reply = await this.reply(ref)
    expect(reply[4]).toMatchObject({ status: 'ok' })
    return ref
  }

  /** Resolves with the first recorded frame matching `match`, waiting for it if needed. */
  async waitFor(match: (frame: Frame) => boolean, what = 'frame'): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(match)
      if (found) return found
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed before ${what}`)
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  reply(ref: string): Promise<Frame> {
    return this.waitFor((frame) => frame[1] === ref && frame[3] === 'phx_reply', `reply ${ref}`)
  }

  /** Proves the socket still works: a heartbeat round trip. */
  async heartbeat(): Promise<void> {
    const ref = this.push('phoenix', 'heartbeat', {})
    expect((await this.reply(ref))[4]).toEqual({ status: 'ok', response: {} })
  }
}

/** Kind-3 frame as rt-js writes it (SUPABASE-PROTOCOL.md §1.2.1). */
function userBroadcastPush(
  joinRef: string,
  ref: string,
  topic: string,
  event: string,
  payload: Buffer,
  encoding = 1,
): Buffer {
  const parts = [joinRef, ref, topic, event, ''].map((s) => Buffer.from(s, 'utf8'))
  const header = Buffer.from([3, ...parts.map((p) => p.length), encoding])
  return Buffer.concat([header, ...parts, payload])
}

/** A bystander subscribed to `topic` who must keep receiving broadcasts. */
async function bystander(topic: string) {
  const listener = await RawClient.open()
  await listener.join(topic)
  const sender = await RawClient.open()
  const joinRef = await sender.join(topic)
  return {
    async stillWorks(tag: string) {
      sender.ws.send(
        userBroadcastPush(
          joinRef,
          sender.nextRef(),
          topic,
          'ping',
          Buffer.from(JSON.stringify({ tag })),
        ),
      )
      await listener.heartbeat()
      for (;;) {
        if (listener.binaries.some((b) => b.includes(Buffer.from(tag)))) return
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    },
    close() {
      listener.ws.close()
      sender.ws.close()
    },
  }
}

describe('Realtime bad input', () => {
  it('closes a socket that sends non-JSON or wrongly shaped frames, and only that socket', async () => {
    const others = await bystander('realtime:garbage-room')
    const garbage: (string | Buffer)[] = [
      'not json at all',
      '{"topic":"realtime:x","event":"phx_join","payload":{},"ref":"1"}', // v1 shape on a v2 socket
      '[null,"1","realtime:x"]',
      '[null,"1",42,"phx_join",{}]',
      Buffer.from([0, 1, 2, 3]), // binary kind 0: clients may only send kind 3
      Buffer.from([3, 9, 9, 9, 9, 9, 1, 65]), // kind 3 whose lengths overrun the frame
      userBroadcastPush('1', '2', 'realtime:x', 'ev', Buffer.from('{broken'), 1),
    ]
    for (const [index, frame] of garbage.entries()) {
      const client = await RawClient.open()
      client.ws.send(frame)
      expect((await client.closed).code, `garbage #${index}`).toBe(1011)
      await others.stillWorks(`after-${index}`)
    }
    others.close()
  })

  it('closes a vsn 1.0.0 socket that sends an array frame', async () => {
    const client = await RawClient.open(`apikey=${DEFAULT_ANON_KEY}&vsn=1.0.0`)
    client.ws.send('[null,"1","phoenix","heartbeat",{}]')
    expect((await client.closed).code).toBe(1011)
  })

  it('closes a socket whose frame exceeds 5,000,000 bytes with 1009', async () => {
    const others = await bystander('realtime:oversize-room')
    const client = await RawClient.open()
    client.ws.send(Buffer.alloc(5_000_001, 0x20).toString())
    expect((await client.closed).code).toBe(1009)
    await others.stillWorks('after-oversize')
    others.close()
  })

  it('refuses a broadcast payload over the 3,000 KB limit (error reply with ack, dropped without)', async () => {
    const topic = 'realtime:big-payload'
    const listener = await RawClient.open()
    await listener.join(topic)
    const sender = await RawClient.open()
    const joinRef = await sender.join(topic, { broadcast: { ack: true, self: false } })
    const big = Buffer.from(JSON.stringify({ blob: 'x'.repeat(3_000_600) }))
    const ref = sender.nextRef()
    sender.ws.send(userBroadcastPush(joinRef, ref, topic, 'big', big))
    expect((await sender.reply(ref))[4]).toEqual({
      status: 'error',
      response: 'payload_size_exceeded',
    })
    const small = sender.nextRef()
    sender.ws.send(userBroadcastPush(joinRef, small, topic, 'small', Buffer.from('{"ok":1}')))
    expect((await sender.reply(small))[4]).toEqual({ status: 'ok', response: {} })
    await listener.heartbeat()
    expect(listener.binaries).toHaveLength(1)
    expect(listener.binaries[0]?.includes(Buffer.from('small'))).toBe(true)
    listener.ws.close()
    sender.ws.close()
  })

  it('answers pushes to unjoined or unknown topics as Phoenix does', async () => {
    const client = await RawClient.open()
    const push = client.push(
      'realtime:never-joined',
      'broadcast',
      { type: 'broadcast', event: 'x', payload: {} },
      '7',
    )
    expect((await client.reply(push))[4]).toEqual({
      status: 'error',
      response: { reason: 'unmatched topic' },
    })
    const foreign = client.push('not-realtime', 'phx_join', {})
    expect((await client.reply(foreign))[4]).toEqual({
      status: 'error',
      response: { reason: 'unmatched topic' },
    })
    const leave = client.push('realtime:never-joined', 'phx_leave', {})
    expect((await client.reply(leave))[4]).toEqual({ status: 'ok', response: {} })
    const empty = client.push('realtime:', 'phx_join', { config: {} })
    expect((await client.reply(empty))[4]).toEqual({
      status: 'error',
      response: { reason: 'TopicNameRequired: You must provide a topic name' },
    })
    // A join payload of the wrong type is applied with defaults, as Realtime does.
    const odd = client.push('realtime:odd-payload', 'phx_join', 'not an object')
    expect((await client.reply(odd))[4]).toEqual({
      status: 'ok',
      response: { postgres_changes: [] },
    })
    // Unknown events on a joined channel get no answer; the socket stays usable.
    client.push('realtime:odd-payload', 'mystery', {}, odd)
    await client.heartbeat()
    expect(client.frames.filter((f) => f[2] === 'realtime:odd-payload')).toHaveLength(1)
    client.ws.close()
  })

  it('replaces a channel joined twice: phx_close for the old join_ref, then the new join', async () => {
    const client = await RawClient.open()
    const topic = 'realtime:twice'
    const config = { presence: { key: 'me', enabled: true } }
    const first = client.push(topic, 'phx_join', { config }, null)
    await client.reply(first)
    const track = client.push(
      topic,
      'presence',
      { type: 'presence', event: 'track', payload: { v: 1 } },
      first,
    )
    await client.reply(track)
    const second = client.push(topic, 'phx_join', { config }, null)
    expect((await client.reply(second))[4]).toMatchObject({ status: 'ok' })
    const closeIndex = client.frames.findIndex((f) => f[3] === 'phx_close')
    expect(client.frames[closeIndex]).toEqual([first, first, topic, 'phx_close', {}])
    // The old channel's presence left with it; the new join's state is empty.
    const state = await client.waitFor((f) => f[3] === 'presence_state' && f[0] === second)
    expect(state).toEqual([second, null, topic, 'presence_state', {}])
    client.ws.close()
  })

  it('refuses upgrades without a valid API key, with Realtime’s HTTP errors', async () => {
    const refusal = (query: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(`${base}?${query}`)
        ws.on('open', () => reject(new Error('upgrade was accepted')))
        ws.on('error', () => undefined)
        ws.on('unexpected-response', (_req, res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        })
      })
    expect(await refusal('vsn=2.0.0')).toEqual({
      status: 401,
      body: '{"error":"API key is missing"}',
    })
    expect(await refusal('apikey=garbage&vsn=2.0.0')).toEqual({
      status: 401,
      body: '{"error":"The token provided is not a valid JWT"}',
    })
    const expired = signJwt(
      { role: 'anon', exp: Math.floor(Date.now() / 1000) - 10 },
      DEFAULT_JWT_SECRET,
    )
    expect(await refusal(`apikey=${expired}&vsn=2.0.0`)).toEqual({
      status: 401,
      body: '{"error":"Token has expired"}',
    })
    const forged = signJwt(
      { role: 'anon', exp: 4_000_000_000 },
      'another-secret-of-at-least-32-characters',
    )
    expect(await refusal(`apikey=${forged}&vsn=2.0.0`)).toEqual({
      status: 401,
      body: '{"error":"Failed to validate JWT signature"}',
    })
  })

  it('disconnects a client that never sends anything, but not one that heartbeats', async () => {
    const idleMs = 400
    const strict = await startServer(idleMs)
    const query = `apikey=${DEFAULT_ANON_KEY}&vsn=2.0.0`
    const silent = await RawClient.open(query, strict.base)
    const lively = await RawClient.open(query, strict.base)
    const beating = setInterval(() => lively.push('phoenix', 'heartbeat', {}), idleMs / 4)
    expect((await silent.closed).code).toBe(1000)
    await new Promise((resolve) => setTimeout(resolve, idleMs))
    clearInterval(beating)
    expect(lively.ws.readyState).toBe(WebSocket.OPEN)
    await lively.heartbeat()
    lively.ws.close()
    await strict.close()
  })

  it('survives 10,000 rapid joins and leaves without leaking rooms or presence', async () => {
    const client = await RawClient.open()
    const count = 10_000
    let last = ''
    for (let i = 0; i < count; i += 1) {
      const topic = `realtime:churn-${i % 50}`
      const joinRef = client.push(topic, 'phx_join', {
        config: { presence: { enabled: true, key: `k${i}` } },
      })
      if (i % 3 === 0) {
        client.push(
          topic,
          'presence',
          { type: 'presence', event: 'track', payload: { i } },
          joinRef,
        )
      }
      last = client.push(topic, 'phx_leave', {}, joinRef)
    }
    await client.reply(last)
    await client.heartbeat()
    const replies = client.frames.filter((f) => f[3] === 'phx_reply')
    expect(replies.every((f) => (f[4] as { status?: string }).status === 'ok')).toBe(true)
    expect(client.frames.filter((f) => f[3] === 'phx_close')).toHaveLength(count)
    expect(main.realtime.stats()).toMatchObject({ rooms: 0, presenceRooms: 0 })
    client.ws.close()
    await client.closed
  })
})
