// What arrives from outside cannot break the model: garbage, truncated updates, records that fail
// the schema, edits and deletes by someone other than the author, and deleted text left behind.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { attributionFromMap } from './author-attribution.js'
import { ConversationDoc } from './conversation-doc.js'
import type { ConversationDocEvents, RejectedRecordEvent } from './conversation-doc-events.js'
import type { MessageId, UserId } from './ids.js'
import { remoteOrigin } from './transaction-origin.js'

const clock = { t: 1_700_000_000_000 }

function makeDoc(
  user: string,
  device: string,
  options: Partial<ConstructorParameters<typeof ConversationDoc>[0]> = {},
): ConversationDoc {
  return new ConversationDoc({
    id: 'conv',
    user,
    device,
    wallClock: () => clock.t,
    onError: (e) => {
      throw e
    },
    ...options,
  })
}

/** A raw Yjs replica of `doc`, to write what a buggy or malicious peer could write. */
function rawReplica(doc: ConversationDoc): Y.Doc {
  const raw = new Y.Doc()
  Y.applyUpdate(raw, doc.encodeStateAsUpdate())
  return raw
}

/** The bytes `raw` produced since it had `before` (a state vector). */
function diffSince(raw: Y.Doc, before: Uint8Array): Uint8Array {
  return Y.encodeStateAsUpdate(raw, before)
}

function collect<E extends keyof ConversationDocEvents>(
  doc: ConversationDoc,
  event: E,
): ConversationDocEvents[E][] {
  const out: ConversationDocEvents[E][] = []
  doc.on(event, (e) => out.push(e))
  return out
}

function contains(bytes: Uint8Array, text: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(text, 'utf8'))
}

function aliceWithMessages(): { alice: ConversationDoc; ids: MessageId[] } {
  const alice = makeDoc('alice', 'dA')
  const ids = ['first', 'second', 'third'].map((text) => alice.send({ text }).id)
  return { alice, ids }
}

describe('applyUpdate never throws', () => {
  it('refuses garbage bytes whole and keeps working', () => {
    const { alice } = aliceWithMessages()
    const bob = makeDoc('bob', 'dB')
    bob.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    const before = bob.messages()
    const invalid = collect(bob, 'invalid-update')
    let seed = 99
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0)
    for (let k = 0; k < 200; k++) {
      const garbage = new Uint8Array(1 + (rand() % 300)).map(() => rand() & 0xff)
      expect(() => bob.applyUpdate(garbage, remoteOrigin('evil'))).not.toThrow()
    }
    expect(bob.applyUpdate('nope' as unknown as Uint8Array, remoteOrigin('evil'))).toMatchObject({
      reason: 'not-bytes',
    })
    expect(invalid.length).toBeGreaterThan(190)
    expect(invalid[0]).toMatchObject({ origin: { source: 'remote', peer: 'evil' } })
    expect(bob.messages()).toEqual(before)
    // Still fully usable.
    const m = bob.send({ text: 'still here' })
    expect(bob.message(m.id)?.text).toBe('still here')
  })

  it('refuses a truncated update without applying half of it', () => {
    const { alice, ids } = aliceWithMessages()
    alice.delete(ids[1]!)
    const full = alice.encodeStateAsUpdate()
    for (let cut = 1; cut < full.length; cut += Math.max(1, Math.floor(full.length / 97))) {
      const bob = makeDoc('bob', 'dB')
      const result = bob.applyUpdate(full.slice(0, cut), remoteOrigin('alice'))
      expect(result).toMatchObject({ ok: false, applied: false })
      expect(bob.size).toBe(0)
      expect(bob.encodeStateAsUpdate()).toEqual(makeDoc('x', 'dX').encodeStateAsUpdate())
    }
    // The last byte belongs to the delete set: Yjs alone would apply the inserts and lose the delete.
    const bob = makeDoc('bob', 'dB')
    expect(bob.applyUpdate(full.slice(0, full.length - 1), remoteOrigin('alice')).ok).toBe(false)
    expect(bob.size).toBe(0)
    expect(bob.applyUpdate(full, remoteOrigin('alice'))).toEqual({ ok: true })
    expect(bob.messages().map((m) => [m.text, m.deleted])).toEqual([
      ['first', false],
      ['', true],
      ['third', false],
    ])
  })

  it('ignores and reports schema-invalid records of a well-formed update', () => {
    const { alice, ids } = aliceWithMessages()
    const bob = makeDoc('bob', 'dB')
    bob.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    const before = bob.messages()
    const raw = rawReplica(alice)
    const sv = Y.encodeStateVector(raw)
    raw.transact(() => {
      const chunks = raw.getArray<Y.Array<unknown>>('chunks')
      const chunk = chunks.get(0)
      chunk.insert(chunk.length, [
        { i: 'x1', a: 'mallory' },
        'a string',
        42,
        { i: 'x2', a: 'm', h: 'not-a-stamp', t: 'hi' },
      ])
      chunks.insert(chunks.length, [
        { i: 'loose', a: 'm', h: ids[0], t: 'not in a chunk' } as never,
      ])
      raw.getMap('edits').set(ids[0]!, { i: ids[0], a: 'alice', h: 'bad', t: 'x' })
      raw
        .getMap('edits')
        .set(ids[1]!, { i: ids[2], a: 'alice', h: '018bcfe56800-0009-dA', t: 'key mismatch' })
      raw.getMap('deleted').set(ids[2]!, 'gone')
      raw.getMap('reactions').set('no-slashes', { at: 1 })
      raw.getMap('reactions').set(`${ids[0]}/bob/👍`, { at: 'yesterday' })
      raw.getMap('receipts').set('bob/dB', { read: 5 })
      raw.getMap('members').set('bob', { role: 'king' })
      raw.getMap('meta').set('title', 7)
    })
    const rejected = collect(bob, 'rejected-record')
    expect(bob.applyUpdate(diffSince(raw, sv), remoteOrigin('mallory'))).toEqual({ ok: true })
    expect(bob.messages()).toEqual(before)
    expect(bob.receipts()).toEqual([])
    expect(bob.meta().title).toBeUndefined()
    const reasons = rejected.map((r) => `${r.kind}:${r.reason}`).sort()
    expect(reasons).toEqual(
      [
        'chunk:invalid-schema',
        'edit:invalid-schema',
        'edit:key-mismatch',
        'member:invalid-schema',
        'meta:invalid-schema',
        'message:invalid-schema',
        'message:invalid-schema',
        'message:invalid-schema',
        'message:invalid-schema',
        'reaction:invalid-schema',
        'reaction:key-mismatch',
        'receipt:invalid-schema',
        'tombstone:invalid-schema',
      ].sort(),
    )
    expect(rejected.every((r) => r.origin.source === 'remote')).toBe(true)
  })
})

describe('authorship', () => {
  it("ignores an edit by someone else and reports it; the author's edit still works", () => {
    const { alice, ids } = aliceWithMessages()
    const bob = makeDoc('bob', 'dB')
    bob.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    const raw = rawReplica(alice)
    const sv = Y.encodeStateVector(raw)
    raw
      .getMap('edits')
      .set(ids[0]!, { i: ids[0], a: 'mallory', h: '7fffffffffff-0000-dM', t: 'pwned' })
    const rejected = collect(bob, 'rejected-record')
    bob.applyUpdate(diffSince(raw, sv), remoteOrigin('mallory'))
    expect(bob.message(ids[0]!)?.text).toBe('first')
    expect(rejected).toEqual([
      {
        kind: 'edit',
        key: ids[0],
        reason: 'not-author',
        origin: { source: 'remote', peer: 'mallory' },
      },
    ])
  })

  it("with an attribution, also refuses a record that forges the author's name", () => {
    const { alice, ids } = aliceWithMessages()
    const raw = rawReplica(alice)
    const writers = new Map<number, UserId>([[raw.clientID, 'mallory' as UserId]])
    const trusting = makeDoc('bob', 'dB')
    const checking = makeDoc('carol', 'dC', { attribution: attributionFromMap(writers) })
    for (const doc of [trusting, checking])
      doc.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    const sv = Y.encodeStateVector(raw)
    raw
      .getMap('edits')
      .set(ids[0]!, { i: ids[0], a: 'alice', h: '7fffffffffff-0000-dM', t: 'forged' })
    const forged = diffSince(raw, sv)
    const rejected: RejectedRecordEvent[] = []
    checking.on('rejected-record', (e) => rejected.push(e))
    trusting.applyUpdate(forged, remoteOrigin('mallory'))
    checking.applyUpdate(forged, remoteOrigin('mallory'))
    expect(trusting.message(ids[0]!)?.text).toBe('forged') // a claim is all the doc has
    expect(checking.message(ids[0]!)?.text).toBe('first')
    expect(rejected).toMatchObject([{ kind: 'edit', reason: 'attribution-mismatch' }])
  })

  it('refuses a tombstone by someone else while the record is there', () => {
    const { alice, ids } = aliceWithMessages()
    const bob = makeDoc('bob', 'dB')
    bob.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    const raw = rawReplica(alice)
    const sv = Y.encodeStateVector(raw)
    const h = bob.message(ids[2]!)!.hlc
    raw.getMap('deleted').set(ids[2]!, { i: ids[2], a: 'mallory', h, x: '7fffffffffff-0000-dM' })
    const rejected = collect(bob, 'rejected-record')
    bob.applyUpdate(diffSince(raw, sv), remoteOrigin('mallory'))
    expect(bob.message(ids[2]!)).toMatchObject({ deleted: false, text: 'third' })
    expect(rejected).toMatchObject([{ kind: 'tombstone', reason: 'not-author' }])
  })

  it('reports a record removed from its chunk without a tombstone', () => {
    const { alice, ids } = aliceWithMessages()
    const bob = makeDoc('bob', 'dB')
    bob.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    const raw = rawReplica(alice)
    const sv = Y.encodeStateVector(raw)
    raw.getArray<Y.Array<unknown>>('chunks').get(0).delete(0, 1)
    const rejected = collect(bob, 'rejected-record')
    const changed = collect(bob, 'messages-changed')
    bob.applyUpdate(diffSince(raw, sv), remoteOrigin('mallory'))
    expect(rejected).toMatchObject([
      { kind: 'message', key: ids[0], reason: 'delete-without-tombstone' },
    ])
    expect(changed).toMatchObject([{ removed: [ids[0]] }])
  })
})

describe('deletion erases the body', () => {
  it('leaves neither the text nor its edits in the encoded document, on any replica', () => {
    const alice = makeDoc('alice', 'dA')
    const bob = makeDoc('bob', 'dB')
    alice.on('update', ({ update }) => bob.applyUpdate(update, remoteOrigin('alice')))
    const keep = alice.send({ text: 'KEEP-this-one' })
    const secret = alice.send({ text: 'SECRET-original-body' })
    alice.edit(secret.id, { text: 'SECRET-edited-body' })
    for (const doc of [alice, bob])
      expect(contains(doc.encodeStateAsUpdate(), 'SECRET-edited-body')).toBe(true)
    alice.delete(secret.id)
    for (const doc of [alice, bob]) {
      const bytes = doc.encodeStateAsUpdate()
      expect(contains(bytes, 'SECRET-original-body')).toBe(false)
      expect(contains(bytes, 'SECRET-edited-body')).toBe(false)
      expect(contains(bytes, 'KEEP-this-one')).toBe(true)
      expect(doc.message(secret.id)?.deleted).toBe(true)
      expect(doc.message(keep.id)?.text).toBe('KEEP-this-one')
    }
    // A late joiner loading the state sees the placeholder and nothing else.
    const carol = makeDoc('carol', 'dC')
    carol.applyUpdate(alice.encodeStateAsUpdate(), remoteOrigin('alice'))
    expect(carol.message(secret.id)).toMatchObject({ deleted: true, text: '' })
  })

  it('erases an edit that raced with the delete (made on another device of the author)', () => {
    const laptop = makeDoc('alice', 'dA')
    const phone = makeDoc('alice', 'dP')
    const m = laptop.send({ text: 'RACE-original' })
    phone.applyUpdate(laptop.encodeStateAsUpdate(), remoteOrigin('laptop'))
    // Concurrently: the laptop deletes, the phone edits.
    laptop.delete(m.id)
    phone.edit(m.id, { text: 'RACE-edited-concurrently' })
    const fromPhone = phone.encodeStateAsUpdate(laptop.encodeStateVector())
    const fromLaptop = laptop.encodeStateAsUpdate(phone.encodeStateVector())
    laptop.applyUpdate(fromPhone, remoteOrigin('phone'))
    phone.applyUpdate(fromLaptop, remoteOrigin('laptop'))
    for (const doc of [laptop, phone]) {
      expect(doc.message(m.id)).toMatchObject({ deleted: true, text: '' })
      expect(contains(doc.encodeStateAsUpdate(), 'RACE-')).toBe(false)
    }
  })
})
