import { describe, expect, it } from 'vitest'
import { ConversationDoc } from './conversation-doc.js'
import type { ConversationDocEvents } from './conversation-doc-events.js'
import { isParleyError } from './errors.js'
import type { MessageId, UserId } from './ids.js'
import { remoteOrigin } from './transaction-origin.js'

const ALICE = 'alice' as UserId
const BOB = 'bob' as UserId
const CAROL = 'carol' as UserId

interface Clock {
  t: number
}

function makeDoc(user: string, device: string, clock: Clock, offset = 0): ConversationDoc {
  return new ConversationDoc({
    id: 'conv-1',
    user,
    device,
    wallClock: () => clock.t + offset,
    onError: (e) => {
      throw e
    },
  })
}

/** Wires docs so every local update reaches every other doc synchronously. */
function link(...docs: ConversationDoc[]): void {
  for (const from of docs) {
    from.on('update', ({ update }) => {
      for (const to of docs) if (to !== from) to.applyUpdate(update, remoteOrigin(from.device))
    })
  }
}

function sync(a: ConversationDoc, b: ConversationDoc): void {
  b.applyUpdate(a.encodeStateAsUpdate(b.encodeStateVector()), remoteOrigin(a.device))
  a.applyUpdate(b.encodeStateAsUpdate(a.encodeStateVector()), remoteOrigin(b.device))
}

function group(): {
  clock: Clock
  alice: ConversationDoc
  bob: ConversationDoc
  carol: ConversationDoc
} {
  const clock = { t: 1_700_000_000_000 }
  const alice = makeDoc(ALICE, 'dA', clock)
  const bob = makeDoc(BOB, 'dB', clock, -2_000)
  const carol = makeDoc(CAROL, 'dC', clock, 3_000)
  link(alice, bob, carol)
  alice.initialize({ kind: 'group', title: 'Trip' })
  alice.addMember(BOB)
  alice.addMember(CAROL)
  return { clock, alice, bob, carol }
}

describe('ConversationDoc: messages', () => {
  it('sends, orders by HLC across devices, and keeps replies after what they answer', () => {
    const { clock, alice, bob, carol } = group()
    const hello = alice.send({ text: 'hello' })
    // Bob's wall clock is 2 s behind, yet his reply sorts after the message he saw.
    const reply = bob.send({ text: 'hi!', replyTo: hello.id })
    clock.t += 1
    const third = carol.send({
      text: 'hey all',
      attachments: [{ name: 'a.png', mime: 'image/png', size: 42 }],
    })
    for (const doc of [alice, bob, carol]) {
      expect(doc.messages().map((m) => m.id)).toEqual([hello.id, reply.id, third.id])
    }
    expect(bob.message(reply.id)).toMatchObject({
      replyTo: hello.id,
      author: BOB,
      device: 'dB',
      kind: 'text',
    })
    expect(alice.message(third.id)?.attachments).toEqual([
      { name: 'a.png', mime: 'image/png', size: 42 },
    ])
    expect(Object.isFrozen(alice.message(hello.id))).toBe(true)
  })

  it('emits messages-changed with added / updated / removed ids and the origin', () => {
    const { alice, bob } = group()
    const events: ConversationDocEvents['messages-changed'][] = []
    bob.on('messages-changed', (e) => events.push(e))
    const m = alice.send({ text: 'one' })
    alice.edit(m.id, { text: 'uno' })
    alice.delete(m.id)
    expect(events).toEqual([
      { added: [m.id], updated: [], removed: [], origin: { source: 'remote', peer: 'dA' } },
      { added: [], updated: [m.id], removed: [], origin: { source: 'remote', peer: 'dA' } },
      { added: [], updated: [m.id], removed: [], origin: { source: 'remote', peer: 'dA' } },
    ])
  })

  it('edits: only the author, and the view shows the latest text and edit stamp', () => {
    const { alice, bob } = group()
    const m = alice.send({
      text: 'draft',
      attachments: [{ name: 'f.txt', mime: 'text/plain', size: 1 }],
    })
    const edited = alice.edit(m.id, { text: 'final' })
    expect(edited.text).toBe('final')
    expect(edited.editedAt! > m.hlc).toBe(true)
    expect(edited.attachments).toHaveLength(1) // kept when not given
    expect(bob.message(m.id)).toMatchObject({ text: 'final', editedAt: edited.editedAt })
    try {
      bob.edit(m.id, { text: 'hijack' })
      expect.unreachable()
    } catch (error) {
      expect(isParleyError(error, 'not-author')).toBe(true)
    }
    expect(() => bob.delete(m.id)).toThrow(/not bob|is by alice/)
    expect(() => alice.edit('nope' as MessageId, { text: 'x' })).toThrow(/no message/)
  })

  it('deletes: a placeholder keeps the place, no text, no reactions, no further edits', () => {
    const { alice, bob } = group()
    const m = alice.send({ text: 'oops' })
    bob.react(m.id, '😮')
    alice.delete(m.id)
    for (const doc of [alice, bob]) {
      expect(doc.message(m.id)).toMatchObject({
        deleted: true,
        text: '',
        attachments: [],
        reactions: {},
      })
      expect(doc.message(m.id)?.deletedAt).toBeDefined()
    }
    expect(() => alice.edit(m.id, { text: 'again' })).toThrow(/deleted/)
    expect(() => bob.react(m.id, '👍')).toThrow(/deleted/)
  })

  it('reactions aggregate per message: reaction → sorted users', () => {
    const { alice, bob, carol } = group()
    const m = alice.send({ text: 'vote' })
    carol.react(m.id, '👍')
    bob.react(m.id, '👍')
    bob.react(m.id, '🎉')
    bob.react(m.id, '🎉') // idempotent
    expect(alice.message(m.id)?.reactions).toEqual({ '👍': [BOB, CAROL], '🎉': [BOB] })
    bob.unreact(m.id, '👍')
    expect(carol.message(m.id)?.reactions).toEqual({ '👍': [CAROL], '🎉': [BOB] })
    expect(() => bob.react(m.id, 'a/b')).toThrow(/reaction/)
  })

  it('validates local input with typed errors', () => {
    const { alice } = group()
    expect(() => alice.send({ text: '' })).toThrow(/schema/)
    expect(() => alice.send({ text: 'x', replyTo: 'bad id' as MessageId })).toThrow(/schema/)
    expect(() =>
      alice.send({ text: 'x', attachments: [{ name: '', mime: 'a/b', size: 1 }] }),
    ).toThrow(/schema/)
    const m = alice.send({ text: 'ok', id: 'fixed-id' as MessageId })
    expect(m.id).toBe('fixed-id')
    expect(() => alice.send({ text: 'again', id: 'fixed-id' as MessageId })).toThrow(/exists/)
    expect(alice.send({ text: '', attachments: [{ name: 'x', mime: 'a/b', size: 0 }] }).text).toBe(
      '',
    )
  })

  it('keeps meta and members', () => {
    const { alice, carol } = group()
    carol.setTitle('Trip 2026')
    expect(alice.meta()).toMatchObject({ title: 'Trip 2026', kind: 'group', createdBy: ALICE })
    expect(alice.members().map((m) => [m.user, m.role])).toEqual([
      [ALICE, 'owner'],
      [BOB, 'member'],
      [CAROL, 'member'],
    ])
    alice.removeMember(CAROL)
    expect(carol.memberIds()).toEqual([ALICE, BOB])
  })
})

describe('ConversationDoc: pages', () => {
  it('pages backwards and forwards from cursors', () => {
    const { clock, alice } = group()
    const ids: MessageId[] = []
    for (let k = 0; k < 10; k++) {
      clock.t += 10
      ids.push(alice.send({ text: `m${k}` }).id)
    }
    const last = alice.lastPage(3)
    expect(last.messages.map((m) => m.text)).toEqual(['m7', 'm8', 'm9'])
    expect(last).toMatchObject({ hasBefore: true, hasAfter: false })
    const before = alice.pageBefore(last.messages[0]!, 4)
    expect(before.messages.map((m) => m.text)).toEqual(['m3', 'm4', 'm5', 'm6'])
    const first = alice.pageBefore(before.messages[0]!, 10)
    expect(first.messages.map((m) => m.text)).toEqual(['m0', 'm1', 'm2'])
    expect(first).toMatchObject({ hasBefore: false, hasAfter: true })
    const after = alice.pageAfter(first.messages[2]!, 2)
    expect(after.messages.map((m) => m.text)).toEqual(['m3', 'm4'])
    expect(alice.lastPage(100).messages).toHaveLength(10)
    expect(alice.size).toBe(10)
  })
})

describe('ConversationDoc: receipts, status, unread', () => {
  it('walks sending → sent → delivered → read with the every-other-member rule', () => {
    const { clock, alice, bob, carol } = group()
    const m = alice.send({ text: 'status?' })
    expect(alice.status(m.id)).toBe('sending')
    alice.acknowledge([m.id])
    expect(alice.status(m.id)).toBe('sent')
    clock.t += 5
    bob.markDelivered()
    expect(alice.status(m.id)).toBe('sent') // carol has not got it
    carol.markDelivered()
    expect(alice.status(m.id)).toBe('delivered')
    bob.markRead()
    expect(alice.status(m.id)).toBe('delivered')
    carol.markRead()
    expect(alice.status(m.id)).toBe('read')
    expect(alice.message(m.id)?.status).toBe('read')
  })

  it('an edit resets delivered/read until cursors pass the edit', () => {
    const { clock, alice, bob, carol } = group()
    const m = alice.send({ text: 'v1' })
    alice.acknowledge([m.id])
    bob.markRead()
    carol.markRead()
    expect(alice.status(m.id)).toBe('read')
    clock.t += 100
    alice.edit(m.id, { text: 'v2' })
    expect(alice.status(m.id)).toBe('sent')
    bob.markDelivered()
    carol.markDelivered()
    expect(alice.status(m.id)).toBe('delivered')
    bob.markRead()
    carol.markRead()
    expect(alice.status(m.id)).toBe('read')
  })

  it('takes the max cursor per user over devices, and cursors never move back', () => {
    const { clock, alice, bob } = group()
    const bobPhone = makeDoc(BOB, 'dB2', clock)
    sync(alice, bobPhone)
    const m = alice.send({ text: 'x' })
    alice.acknowledge([m.id])
    sync(alice, bobPhone)
    alice.setMembers([ALICE, BOB])
    bobPhone.markRead()
    sync(alice, bobPhone)
    expect(alice.status(m.id)).toBe('read')
    // The laptop's older cursor does not lower Bob's.
    expect(bob.markRead(bob.message(m.id)!.hlc.replace(/^.{12}/, '000000000001') as never)).toBe(
      true,
    )
    expect(alice.receipt(BOB).read! > m.hlc).toBe(true)
    expect(bobPhone.markRead('000000000000-0000-x' as never)).toBe(false)
  })

  it('counts unread messages by others after the read cursor', () => {
    const { clock, alice, bob, carol } = group()
    alice.send({ text: 'a1' })
    bob.send({ text: 'b1' })
    clock.t += 1
    const a2 = alice.send({ text: 'a2' })
    expect(bob.unreadCount()).toBe(2)
    expect(alice.unreadCount()).toBe(1)
    expect(carol.unreadCount()).toBe(3)
    bob.markRead()
    expect(bob.unreadCount()).toBe(0)
    expect(alice.unreadCount(BOB)).toBe(0)
    clock.t += 1
    alice.send({ text: 'a3' })
    alice.delete(a2.id)
    expect(bob.unreadCount()).toBe(1)
    expect(carol.unreadCount()).toBe(3) // a1, b1, a3 (a2 deleted)
  })

  it('stays `sent` with no other member, and lets the ack predicate decide', () => {
    const clock = { t: 1_700_000_000_000 }
    const acked = new Set<string>()
    const solo = new ConversationDoc({
      id: 'c',
      user: 'u',
      device: 'd',
      wallClock: () => clock.t,
      isAcknowledged: (m) => acked.has(m.id),
    })
    const events: unknown[] = []
    solo.on('status-changed', (e) => events.push(e))
    const m = solo.send({ text: 'note to self' })
    expect(solo.status(m.id)).toBe('sending')
    acked.add(m.id)
    expect(solo.status(m.id)).toBe('sent')
    solo.acknowledge([m.id])
    expect(events).toEqual([{ ids: [m.id] }])
  })
})

describe('ConversationDoc: clock', () => {
  it('bounds a peer whose clock is far ahead and reports clock-drift', () => {
    const clock = { t: 1_700_000_000_000 }
    const local = makeDoc(ALICE, 'dA', clock)
    const liar = makeDoc(BOB, 'dB', clock, 3_600_000)
    const drifts: unknown[] = []
    local.on('clock-drift', (e) => drifts.push(e))
    liar.send({ text: 'from the future' })
    sync(liar, local)
    expect(drifts).toHaveLength(1)
    const mine = local.send({ text: 'now' })
    expect(mine.hlc < liar.messages()[0]!.hlc).toBe(true) // not dragged an hour ahead
    expect(Number.parseInt(mine.hlc.slice(0, 12), 16) - clock.t).toBeLessThanOrEqual(60_000)
  })

  it('closes idempotently and refuses writes afterwards', () => {
    const doc = makeDoc(ALICE, 'dA', { t: 1 })
    doc.close()
    doc.close()
    expect(() => doc.send({ text: 'x' })).toThrow(/closed/)
    expect(doc.applyUpdate(new Uint8Array([0, 0]), remoteOrigin('p'))).toMatchObject({ ok: false })
  })
})
