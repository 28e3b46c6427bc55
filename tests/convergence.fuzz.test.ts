// Convergence of the conversation model: replicas of one conversation (two users with one device
// each, one user with two devices, a fourth user joining late) send, edit, delete, react and move
// receipts while a seeded network drops, duplicates and reorders updates, partitions and takes
// devices offline, and device clocks skew and jump back. After healing and a state-vector resync,
// every replica must show the same view — messages, order, reactions, receipts, members — no
// sent message may be missing, and no deleted text may survive in any encoded document.
//
// `npm test` runs 200 seeds; FUZZ_SEEDS=N runs more; FUZZ_SEED=S replays one (the failure message
// prints the exact command and the operations that led to it).
import { describe, expect, it } from 'vitest'
import {
  ConversationDoc,
  remoteOrigin,
  type HlcStamp,
  type MessageId,
  type MessageView,
  type UserId,
} from '@parley/core'
import { SimNetwork, createRng, runFuzz, type FuzzTrace, type SimPeer } from '@parley/testing'

const UPDATE = 0
const SYNC_REQUEST = 1
const SYNC_REPLY = 2
const REACTIONS = ['👍', '❤️', '😂', '🎉']

interface Replica {
  readonly name: string
  readonly doc: ConversationDoc
  peer: SimPeer
  /** Wall clock offset from the simulated "true" time; moves, sometimes backwards. */
  offset: number
  /** Stamps this replica issued for its own sends, to check monotonicity. */
  lastSent: HlcStamp | undefined
}

function frame(tag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1)
  out[0] = tag
  out.set(payload, 1)
  return out
}

/** The part of a message view every replica must agree on (status is a local notion). */
function comparable(m: MessageView): object {
  const { status: _status, ...rest } = m
  return rest
}

function snapshot(doc: ConversationDoc, users: readonly UserId[]): object {
  return {
    messages: doc.messages().map(comparable),
    receipts: doc.receipts(),
    members: doc.members(),
    meta: doc.meta(),
    unread: users.map((u) => doc.unreadCount(u)),
  }
}

function contains(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text)
}

async function runSeed(seed: number, trace: FuzzTrace): Promise<void> {
  const rng = createRng(seed)
  const ops = rng.fork('ops')
  const net = new SimNetwork({ seed, dropRate: 0.1, duplicateRate: 0.1, reorderRate: 0.3 })
  let now = 1_700_000_000_000 + rng.int(0, 1e9)
  const users = ['alice', 'bob', 'carol', 'dave'] as UserId[]
  const layout: Array<[string, UserId]> = [
    ['alice-laptop', users[0]!],
    ['alice-phone', users[0]!],
    ['bob', users[1]!],
    ['carol', users[2]!],
  ]
  const replicas: Replica[] = []
  const byName = new Map<string, Replica>()

  const connect = (r: Replica): SimPeer =>
    net.connect(r.name, (from, bytes) => {
      const tag = bytes[0]
      const payload = bytes.subarray(1)
      if (tag === SYNC_REQUEST) {
        r.peer.send(from, frame(SYNC_REPLY, r.doc.encodeStateAsUpdate(payload)))
        return
      }
      const result = r.doc.applyUpdate(payload, remoteOrigin(from))
      if (!result.ok) throw new Error(`${r.name} refused an update from ${from}: ${result.reason}`)
    })

  const addReplica = (name: string, user: UserId): Replica => {
    const r: Replica = {
      name,
      offset: rng.int(-20_000, 20_000),
      lastSent: undefined,
      peer: undefined as unknown as SimPeer,
      doc: new ConversationDoc({
        id: 'fuzz-conversation',
        user,
        device: name,
        wallClock: () => now + r.offset,
        onError: (error) => {
          throw error
        },
      }),
    }
    r.doc.on('update', ({ update }) => r.peer.send('all', frame(UPDATE, update)))
    r.doc.on('rejected-record', (e) => {
      throw new Error(
        `${name} rejected a record written by an honest replica: ${JSON.stringify(e)}`,
      )
    })
    r.peer = connect(r)
    replicas.push(r)
    byName.set(name, r)
    return r
  }

  const requestSync = (r: Replica, to: string | 'all'): void => {
    r.peer.send(to, frame(SYNC_REQUEST, r.doc.encodeStateVector()))
  }
  net.on('link-up', ({ a, b }) => {
    const ra = byName.get(a)
    const rb = byName.get(b)
    if (ra && rb) {
      requestSync(ra, b)
      requestSync(rb, a)
    }
  })

  for (const [name, user] of layout) addReplica(name, user)
  const creator = replicas[0]!
  creator.doc.initialize({ kind: 'group', title: `fuzz ${seed}` })
  for (const u of users.slice(1)) creator.doc.addMember(u)

  const sent = new Set<MessageId>()
  const texts = new Map<MessageId, string[]>() // every text a message ever had
  const deleted = new Set<MessageId>()
  let counter = 0
  const steps = ops.int(25, 45)

  for (let step = 0; step < steps; step++) {
    now += ops.int(0, 2_000)
    const r = ops.pick(replicas)
    const own = (): MessageView[] =>
      r.doc.messages().filter((m) => m.author === r.doc.user && !m.deleted)
    const roll = ops.next()
    if (roll < 0.3) {
      const visible = r.doc.messages().filter((m) => !m.deleted)
      const replyTo = ops.bool(0.3) && visible.length > 0 ? ops.pick(visible) : undefined
      const text = `s${seed}-m${counter++}-${ops.hex(6)}`
      const m = r.doc.send({ text, ...(replyTo ? { replyTo: replyTo.id } : {}) })
      trace.log({ step, op: 'send', on: r.name, id: m.id, replyTo: replyTo?.id })
      sent.add(m.id)
      texts.set(m.id, [text])
      if (r.lastSent !== undefined) expect(m.hlc > r.lastSent, 'own stamps increase').toBe(true)
      r.lastSent = m.hlc
      if (replyTo) expect(m.hlc > replyTo.hlc, 'a reply sorts after what it answers').toBe(true)
    } else if (roll < 0.42) {
      const mine = own()
      if (mine.length === 0) continue
      const target = ops.pick(mine)
      const text = `s${seed}-e${counter++}-${ops.hex(6)}`
      trace.log({ step, op: 'edit', on: r.name, id: target.id })
      r.doc.edit(target.id, { text })
      texts.get(target.id)?.push(text)
    } else if (roll < 0.5) {
      const mine = own()
      if (mine.length === 0) continue
      const target = ops.pick(mine)
      trace.log({ step, op: 'delete', on: r.name, id: target.id })
      r.doc.delete(target.id)
      deleted.add(target.id)
    } else if (roll < 0.62) {
      const visible = r.doc.messages().filter((m) => !m.deleted)
      if (visible.length === 0) continue
      const target = ops.pick(visible)
      const reaction = ops.pick(REACTIONS)
      const mineAlready = target.reactions[reaction]?.includes(r.doc.user) ?? false
      trace.log({
        step,
        op: mineAlready ? 'unreact' : 'react',
        on: r.name,
        id: target.id,
        reaction,
      })
      if (mineAlready) r.doc.unreact(target.id, reaction)
      else r.doc.react(target.id, reaction)
    } else if (roll < 0.72) {
      const read = ops.bool()
      trace.log({ step, op: read ? 'markRead' : 'markDelivered', on: r.name })
      if (read) r.doc.markRead()
      else r.doc.markDelivered()
    } else if (roll < 0.78) {
      const names = replicas.map((x) => x.name)
      const groupA = ops.shuffle(names).slice(0, ops.int(1, names.length - 1))
      const groupB = names.filter((n) => !groupA.includes(n))
      trace.log({ step, op: 'partition', groupA, groupB })
      net.partition(groupA, groupB)
    } else if (roll < 0.82) {
      trace.log({ step, op: 'heal' })
      net.heal()
    } else if (roll < 0.87) {
      const online = ops.bool()
      trace.log({ step, op: 'online', on: r.name, online })
      net.setOnline(r.name, online)
    } else if (roll < 0.92) {
      // NTP correction or a user fiddling with the clock: up to 15 s back (or forward).
      const jump = ops.int(-15_000, 5_000)
      trace.log({ step, op: 'clock-jump', on: r.name, jump })
      r.offset = Math.max(-30_000, Math.min(30_000, r.offset + jump))
    } else if (roll < 0.95 && !byName.has('dave')) {
      trace.log({ step, op: 'join', on: 'dave' })
      const dave = addReplica('dave', users[3]!)
      requestSync(dave, 'all')
    } else {
      trace.log({ step, op: 'flush' })
      await net.flush()
    }
    if (ops.bool(0.25)) await net.flush({ idleTurns: ops.int(1, 5) })
  }

  trace.log('heal and resync')
  net.configure({ dropRate: 0, duplicateRate: 0, reorderRate: 0 })
  net.heal()
  for (const r of replicas) net.setOnline(r.name, true)
  if (!byName.has('dave')) requestSync(addReplica('dave', users[3]!), 'all')
  // Clean-ups (an edit that raced a delete) write new updates; resync until nothing moves.
  for (let round = 0; round < 5; round++) {
    await net.flush()
    for (const r of replicas) requestSync(r, 'all')
    await net.flush()
  }

  const reference = snapshot(replicas[0]!.doc, users)
  for (const r of replicas) {
    expect(snapshot(r.doc, users), `replica ${r.name} differs from ${replicas[0]!.name}`).toEqual(
      reference,
    )
    const ids = new Set(r.doc.messages().map((m) => m.id))
    for (const id of sent) expect(ids.has(id), `${r.name} misses sent message ${id}`).toBe(true)
    for (const m of r.doc.messages())
      expect(m.deleted, `${m.id} deleted state`).toBe(deleted.has(m.id))
    const bytes = r.doc.encodeStateAsUpdate()
    for (const id of deleted) {
      for (const text of texts.get(id) ?? []) {
        expect(contains(bytes, text), `${r.name} still holds deleted text ${text}`).toBe(false)
      }
    }
  }
  // Order is the (stamp, id) order on every replica.
  const order = replicas[0]!.doc.messages()
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1]!
    const b = order[k]!
    expect(a.hlc < b.hlc || (a.hlc === b.hlc && a.id < b.id)).toBe(true)
  }
  for (const r of replicas) r.doc.close()
  net.close()
}

describe('conversation model convergence', () => {
  it('replicas converge to identical views through partitions, loss, duplication and reordering', async () => {
    const report = await runFuzz({ name: 'conversation convergence', seeds: 200, run: runSeed })
    expect(report.seeds.length).toBeGreaterThan(0)
  })
})
