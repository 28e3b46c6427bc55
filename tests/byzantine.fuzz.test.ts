// A byzantine fuzz of the trust rules (docs/TRUST.md): three honest devices and one malicious
// member. Honest devices write through ConversationDoc; the attacker writes raw Yjs (edits,
// deletions and chunk removals of others' messages, others' receipts and reactions, meta and
// roles without the owner role, structs under others' client ids, junk). Every update reaches
// every honest replica through an UpdateGate, duplicated and in a random order per replica.
// Property: the honest replicas end in the same state, equal to a replica that only ever saw the
// honest updates; every forgery is refused or left waiting, none applied.
//
// `npm test` runs 200 seeds; FUZZ_SEEDS=N runs more; FUZZ_SEED=S replays one.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  ConversationDoc,
  DeviceDirectory,
  UpdateGate,
  docRootsForTests,
  remoteOriginForTests,
  type UpdateSender,
  type UserId,
} from './byzantine-support.js'
import { createRng, runFuzz, type FuzzTrace, type Rng } from '@parley/testing'

interface Device {
  readonly user: UserId
  readonly clientId: number
  readonly doc: ConversationDoc
}

const NOW = 1_700_000_000_000
const OWNER = 'ann' as UserId
const ATTACKER = 'mal' as UserId
const ROLES = new Map<UserId, 'owner' | 'member'>([
  [OWNER, 'owner'],
  ['bea' as UserId, 'member'],
  ['cyd' as UserId, 'member'],
  [ATTACKER, 'member'],
])

function device(user: string, clientId: number, clock: { t: number }): Device {
  const doc = new ConversationDoc({
    id: 'byz',
    user,
    device: `d-${user}`,
    clientId,
    wallClock: () => clock.t,
    onError: (e) => {
      throw e
    },
  })
  return { user: user as UserId, clientId, doc }
}

/** One honest intent on `d`; returns its update, or undefined when nothing was written. */
function honestStep(d: Device, rng: Rng, trace: FuzzTrace): Uint8Array | undefined {
  const updates: Uint8Array[] = []
  const off = d.doc.on('update', ({ update }) => {
    updates.push(update)
  })
  const messages = d.doc.messages().filter((m) => !m.deleted)
  const mine = messages.filter((m) => m.author === d.user)
  const op = rng.int(0, 9)
  try {
    if (op <= 3 || messages.length === 0) d.doc.send({ text: `${d.user}-${rng.hex(4)}` })
    else if (op === 4 && mine.length > 0) d.doc.edit(rng.pick(mine).id, { text: `e-${rng.hex(4)}` })
    else if (op === 5 && mine.length > 0) d.doc.delete(rng.pick(mine).id)
    else if (op === 6) d.doc.react(rng.pick(messages).id, rng.pick(['👍', '🎉']))
    else if (op === 7) d.doc.markRead()
    else if (op === 8 && d.user === OWNER) d.doc.setTitle(`t-${rng.hex(3)}`)
    else d.doc.send({ text: `${d.user}-${rng.hex(4)}` })
  } finally {
    off()
  }
  trace.log({ honest: d.user, op })
  return updates.length === 0 ? undefined : Y.mergeUpdates(updates)
}

/** One forgery by the attacker's raw replica; every one breaks at least one rule. */
function forge(raw: Y.Doc, rng: Rng, trace: FuzzTrace, honestClient: number): Uint8Array {
  const roots = docRootsForTests(raw)
  const stamp = `${String(NOW + rng.int(0, 1e6)).padStart(13, '0')}:0000:d-mal`
  const records: { item: Y.Item; value: { i: string; a: string } }[] = []
  roots.chunks.forEach((chunk) => {
    if (!(chunk instanceof Y.Array)) return
    let item = chunk._start
    while (item !== null) {
      if (!item.deleted && item.content instanceof Y.ContentAny) {
        for (const v of item.content.arr)
          records.push({ item, value: v as { i: string; a: string } })
      }
      item = item.right
    }
  })
  const others = records.filter((r) => r.value.a !== ATTACKER)
  const kind = rng.int(0, 9)
  const updates: Uint8Array[] = []
  const on = (u: Uint8Array): void => {
    updates.push(u)
  }
  const before = raw.clientID
  if (kind === 8) raw.clientID = honestClient // structs under an honest device's client id
  raw.on('update', on)
  raw.transact(() => {
    const target = others.length > 0 ? rng.pick(others).value : undefined
    switch (kind) {
      case 0:
        if (target) roots.edits.set(target.i, { i: target.i, a: target.a, h: stamp, t: 'forged' })
        else roots.meta.set('title', 'pwned')
        break
      case 1: {
        const chunk = roots.chunks.length > 0 ? roots.chunks.get(0) : undefined
        if (chunk instanceof Y.Array && chunk.length > 0 && target) {
          const index = chunk.toArray().findIndex((v) => (v as { i: string }).i === target.i)
          if (index >= 0) chunk.delete(index, 1)
          else roots.meta.set('title', 'pwned')
        } else roots.meta.set('title', 'pwned')
        break
      }
      case 2:
        if (roots.chunks.length > 0) roots.chunks.delete(0, 1)
        else roots.meta.set('title', 'pwned')
        break
      case 3:
        roots.receipts.set(`${OWNER}/d-${OWNER}`, { read: stamp })
        break
      case 4:
        if (target) roots.reactions.set(`${target.i}/${target.a}/👎`, { at: stamp })
        else roots.meta.set('title', 'pwned')
        break
      case 5:
        roots.meta.set('title', 'pwned')
        break
      case 6:
        roots.members.set(ATTACKER, { role: 'owner', addedBy: ATTACKER, addedAt: stamp })
        break
      case 7:
        roots.members.delete(OWNER)
        break
      case 8:
      case 9: {
        const chunk =
          roots.chunks.length > 0 ? roots.chunks.get(roots.chunks.length - 1) : undefined
        const record = { i: `forged${rng.hex(14)}`, a: OWNER, h: stamp, t: 'as ann' }
        if (chunk instanceof Y.Array) chunk.insert(chunk.length, [record])
        else roots.meta.set('title', 'pwned')
        break
      }
    }
  })
  raw.off('update', on)
  raw.clientID = before
  trace.log({ forge: kind })
  return updates.length === 0 ? new Uint8Array([0, 0]) : Y.mergeUpdates(updates)
}

interface Sent {
  update: Uint8Array
  from: UserId
  clientIds: readonly number[]
  honest: boolean
}

async function runSeed(seed: number, trace: FuzzTrace): Promise<void> {
  const rng = createRng(seed)
  const ops = rng.fork('ops')
  const order = rng.fork('order')
  const clock = { t: NOW }
  const honest = [device('ann', 11, clock), device('bea', 22, clock), device('cyd', 33, clock)]
  const reference = device('ref', 99, clock)
  const attackerRaw = new Y.Doc({ gc: true })
  attackerRaw.clientID = 44
  const directory = new DeviceDirectory([
    ...honest.map((d) => ({ id: `d-${d.user}`, user: d.user, clientIds: [d.clientId] })),
    { id: 'd-mal', user: ATTACKER, clientIds: [44] },
  ])
  const sent: Sent[] = []
  const init = honest[0]!.doc
  const created: Uint8Array[] = []
  const offInit = init.on('update', ({ update }) => {
    created.push(update)
  })
  init.initialize({ kind: 'group', title: 'byz' })
  offInit()
  sent.push({ update: Y.mergeUpdates(created), from: OWNER, clientIds: [11], honest: true })

  // Each step: someone writes; some pending updates are delivered to some replicas (in order per
  // replica is not guaranteed: each replica's inbox is shuffled).
  const inbox = new Map<ConversationDoc, Sent[]>(honest.map((d) => [d.doc, [] as Sent[]]))
  const gates = new Map(
    honest.map((d) => [
      d.doc,
      new UpdateGate<Sent>(d.doc.ydoc, directory, {
        apply: (update) => {
          expect(d.doc.applyUpdate(update, remoteOriginForTests('peer')).ok).toBe(true)
        },
        rejected: () => undefined,
      }),
    ]),
  )
  const deliver = (to: Device, item: Sent): void => {
    if (item.from === to.user && item.honest) return
    const sender: UpdateSender = directory.sender(
      `d-${item.from}`,
      item.from,
      ROLES.get(item.from),
    )!
    gates.get(to.doc)!.admit(item.update, sender, item)
  }
  const publish = (item: Sent): void => {
    sent.push(item)
    for (const d of honest) inbox.get(d.doc)!.push(item)
    if (item.honest) Y.applyUpdate(attackerRaw, item.update)
  }
  for (const d of honest) inbox.get(d.doc)!.push(sent[0]!)
  Y.applyUpdate(attackerRaw, sent[0]!.update)

  const steps = ops.int(10, 40)
  for (let s = 0; s < steps; s++) {
    clock.t += ops.int(1, 500)
    if (ops.bool(0.3)) {
      const update = forge(attackerRaw, ops, trace, ops.pick(honest).clientId)
      publish({ update, from: ATTACKER, clientIds: [44], honest: false })
    } else {
      const d = ops.pick(honest)
      const update = honestStep(d, ops, trace)
      if (update) publish({ update, from: d.user, clientIds: [d.clientId], honest: true })
    }
    for (const d of honest) {
      const box = inbox.get(d.doc)!
      if (box.length === 0 || !order.bool(0.6)) continue
      const shuffled = order.shuffle(box)
      const take = order.int(1, shuffled.length)
      for (const item of shuffled.slice(0, take)) deliver(d, item)
      // Duplicates: a delivered update may come again later.
      inbox.set(d.doc, [...shuffled.slice(take), ...(order.bool(0.2) ? shuffled.slice(0, 1) : [])])
    }
  }
  for (const d of honest) for (const item of order.shuffle(inbox.get(d.doc)!)) deliver(d, item)
  // Honest devices may have missed updates the attacker never forged: everyone gets everything once more.
  for (const d of honest) for (const item of order.shuffle(sent)) deliver(d, item)
  for (const item of sent)
    if (item.honest) reference.doc.applyUpdate(item.update, remoteOriginForTests('x'))

  const expected = JSON.stringify(view(reference.doc))
  for (const d of honest) {
    trace.log({ check: d.user })
    expect(JSON.stringify(view(d.doc))).toBe(expected)
    expect(Y.encodeStateVector(d.doc.ydoc)).toEqual(Y.encodeStateVector(reference.doc.ydoc))
  }
}

function view(doc: ConversationDoc): unknown {
  const y = doc.ydoc
  return {
    messages: doc
      .messages()
      .map((m) => ({ id: m.id, a: m.author, t: m.text, d: m.deleted, r: m.reactions })),
    meta: doc.meta(),
    members: doc.members(),
    receipts: Object.entries(y.getMap('receipts').toJSON()).sort(([a], [b]) => a.localeCompare(b)),
    chunks: y.getArray('chunks').toJSON(),
  }
}

describe('byzantine fuzz: one malicious member', () => {
  it('honest replicas converge to the honest-only state, whatever the attacker sends', async () => {
    const report = await runFuzz({ name: 'byzantine member', seeds: 200, run: runSeed })
    expect(report.seeds.length).toBeGreaterThan(0)
  })
})
