// The rules of docs/TRUST.md against honest and malicious updates: a member (Bob) tries every
// forgery the attack report lists, each refused with its reason; honest changes pass.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { docRoots } from '../doc-layout.js'
import { remoteOrigin } from '../transaction-origin.js'
import {
  TestRoster,
  captured,
  capturedIntent,
  docOf,
  rawReplica,
  type TestUser,
} from './trust-test-support.js'
import { checkUpdate } from './update-rules.js'

function setup() {
  const roster = new TestRoster()
  const ann = roster.add('ann', 101, 'owner')
  const bob = roster.add('bob', 202, 'member')
  const cat = roster.add('cat', 303, 'member')
  const annDoc = docOf(ann)
  const create = capturedIntent(annDoc, () => annDoc.initialize({ kind: 'group', title: 'Ours' }))
  const hello = capturedIntent(annDoc, () => annDoc.send({ text: 'hello from ann' }))
  const catDoc = docOf(cat)
  for (const u of [create, hello]) catDoc.applyUpdate(u, remoteOrigin('ann'))
  const helloId = annDoc.messages()[0]!.id
  return { roster, ann, bob, cat, annDoc, catDoc, helloId }
}

/** Bob's raw replica of Cat's state, writing under Bob's client id. */
function bobRaw(env: ReturnType<typeof setup>, clientId = env.bob.clientId): Y.Doc {
  return rawReplica(env.catDoc.encodeStateAsUpdate(), clientId)
}

function judge(env: ReturnType<typeof setup>, update: Uint8Array, as: TestUser = env.bob) {
  return checkUpdate(env.catDoc.ydoc, update, env.roster.sender(as), env.roster.directory)
}

describe('checkUpdate: honest changes', () => {
  it('accepts a member sending, editing and deleting their own message, reacting, receipting', () => {
    const env = setup()
    const bobDoc = docOf(env.bob)
    bobDoc.applyUpdate(env.catDoc.encodeStateAsUpdate(), remoteOrigin('cat'))
    const send = capturedIntent(bobDoc, () => bobDoc.send({ text: 'hi from bob' }))
    expect(judge(env, send)).toEqual({ status: 'accept' })
    env.catDoc.applyUpdate(send, remoteOrigin('bob'))
    const mine = bobDoc.messages().find((m) => m.author === env.bob.user)!
    for (const intent of [
      () => bobDoc.edit(mine.id, { text: 'edited' }),
      () => bobDoc.react(env.helloId, '👍'),
      () => bobDoc.markRead(),
      () => bobDoc.unreact(env.helloId, '👍'),
      () => bobDoc.delete(mine.id),
      () => bobDoc.addMember(env.bob.user, 'member', 'Bob'),
    ]) {
      const update = capturedIntent(bobDoc, intent)
      expect(judge(env, update)).toEqual({ status: 'accept' })
      env.catDoc.applyUpdate(update, remoteOrigin('bob'))
    }
  })

  it('accepts the owner retitling and naming roles', () => {
    const env = setup()
    const update = capturedIntent(env.annDoc, () => env.annDoc.setTitle('New'))
    expect(judge(env, update, env.ann)).toEqual({ status: 'accept' })
    const add = capturedIntent(env.annDoc, () => env.annDoc.addMember(env.bob.user, 'member'))
    expect(judge(env, add, env.ann)).toEqual({ status: 'accept' })
  })
})

describe('checkUpdate: forgeries by a member', () => {
  const cases: [string, (env: ReturnType<typeof setup>, raw: Y.Doc) => void, string][] = [
    [
      "edits another user's message",
      (env, raw) =>
        docRoots(raw).edits.set(env.helloId, {
          i: env.helloId,
          a: env.ann.user,
          h: env.annDoc.clock.now(),
          t: 'forged',
        }),
      'not-author',
    ],
    [
      "deletes another user's message (chunk entry removed)",
      (_env, raw) => docRoots(raw).chunks.get(0).delete(0, 1),
      'not-author',
    ],
    ['removes a whole chunk', (_env, raw) => docRoots(raw).chunks.delete(0, 1), 'chunk-removed'],
    [
      "writes a tombstone for another user's message",
      (env, raw) =>
        docRoots(raw).deleted.set(env.helloId, {
          i: env.helloId,
          a: env.ann.user,
          h: env.annDoc.clock.now(),
          x: env.annDoc.clock.now(),
        }),
      'not-author',
    ],
    [
      'sends a message claiming another author',
      (env, raw) =>
        docRoots(raw)
          .chunks.get(0)
          .push([
            { i: 'forgedmessage0000001', a: env.ann.user, h: env.annDoc.clock.now(), t: 'x' },
          ]),
      'not-author',
    ],
    [
      "writes another user's receipt",
      (env, raw) => docRoots(raw).receipts.set(`${env.ann.user}/d-ann`, {}),
      'not-author',
    ],
    [
      'reacts as another user',
      (env, raw) =>
        docRoots(raw).reactions.set(`${env.helloId}/${env.ann.user}/👍`, {
          at: env.annDoc.clock.now(),
        }),
      'not-author',
    ],
    [
      'retitles without the owner role',
      (_env, raw) => docRoots(raw).meta.set('title', 'mine'),
      'not-owner',
    ],
    [
      'makes itself owner',
      (env, raw) =>
        docRoots(raw).members.set(env.bob.user, {
          role: 'owner',
          addedBy: env.bob.user,
          addedAt: env.annDoc.clock.now(),
        }),
      'not-owner',
    ],
    [
      'removes the owner from the members',
      (env, raw) => docRoots(raw).members.delete(env.ann.user),
      'not-owner',
    ],
    [
      'writes outside the layout',
      (_env, raw) => raw.getMap('evil').set('k', 1),
      'unknown-location',
    ],
  ]

  for (const [what, change, reason] of cases) {
    it(`refuses: ${what}`, () => {
      const env = setup()
      const raw = bobRaw(env)
      const update = captured(raw, () => change(env, raw))
      const verdict = judge(env, update)
      expect(verdict).toMatchObject({ status: 'reject', reason })
    })
  }

  it("refuses structs under another device's client id", () => {
    const env = setup()
    const raw = bobRaw(env, env.ann.clientId)
    const update = captured(raw, () =>
      docRoots(raw)
        .chunks.get(0)
        .push([{ i: 'forgedmessage0000002', a: env.bob.user, h: env.annDoc.clock.now(), t: 'x' }]),
    )
    expect(judge(env, update)).toMatchObject({ status: 'reject', reason: 'foreign-client' })
  })

  it('refuses junk bytes as malformed', () => {
    const env = setup()
    expect(judge(env, new Uint8Array([1, 2, 3, 250, 250]))).toMatchObject({ reason: 'malformed' })
  })

  it("holds a deletion of items not seen yet, then refuses it once they show they are another user's", () => {
    const env = setup()
    // Ann's next message exists at Bob's (received live) but not yet at Cat's.
    const next = capturedIntent(env.annDoc, () => env.annDoc.send({ text: 'second' }))
    const raw = bobRaw(env)
    Y.applyUpdate(raw, next)
    const before = Y.encodeStateVector(raw)
    const erase = captured(raw, () => {
      const chunk = docRoots(raw).chunks.get(0)
      chunk.delete(chunk.length - 1, 1)
    })
    expect(Y.encodeStateVector(raw)).toEqual(before) // a pure deletion
    expect(judge(env, erase)).toEqual({ status: 'hold' })
    env.catDoc.applyUpdate(next, remoteOrigin('ann'))
    expect(judge(env, erase)).toMatchObject({ status: 'reject', reason: 'not-author' })
  })

  it('reaches the same verdict whether or not the target was deleted meanwhile', () => {
    const env = setup()
    const raw = bobRaw(env)
    const update = captured(raw, () => docRoots(raw).chunks.get(0).delete(0, 1))
    const first = judge(env, update)
    const gone = capturedIntent(env.annDoc, () => env.annDoc.delete(env.helloId))
    env.catDoc.applyUpdate(gone, remoteOrigin('ann'))
    expect(judge(env, update)).toEqual(first)
  })
})
