// The trust cases of the remote log contract (docs/TRUST.md): devices and their client ids,
// pushes signed by one of the caller's devices, the devices and members a replica reads, the
// membership notices, compaction requests and the rate limit on failed invite codes.
import { expect, it } from 'vitest'
import { isRemoteLogError } from '@parley/core/ports'
import { randomClientId } from '../register-test-device.js'
import {
  bytes,
  expectCode,
  newConversationId,
  newDeviceId,
  randomBytes,
  rejection,
  type RemoteLogContractContext,
} from './remote-log-contract-kit.js'

const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b)

/** Registers the trust cases (`it` blocks) in the current `describe`. */
export function remoteLogTrustCases(context: RemoteLogContractContext): void {
  const { connect, collect, inboxOnline } = context

  it('registers devices idempotently, extends them, and refuses taken ids and keys', async () => {
    const { log: alice, userId: aliceId } = await connect('alice')
    const { log: bob } = await connect('bob')
    const conversation = newConversationId()
    await alice.createConversation({ id: conversation })
    const id = newDeviceId()
    const publicKey = randomBytes(32)
    const ids = [randomClientId(), randomClientId()]
    await alice.registerDevice({ id, publicKey, clientIds: ids })
    await alice.registerDevice({ id, publicKey, clientIds: ids })
    const extra = randomClientId()
    await alice.registerDevice({ id, publicKey, clientIds: [extra, ids[0]!] })
    const listed = (await alice.conversationDevices(conversation)).find((d) => d.id === id)
    expect(listed).toEqual({ id, user: aliceId, publicKey, clientIds: ascending([...ids, extra]) })

    // Another key, another user: the device id is taken.
    const fresh = randomClientId()
    await expectCode(
      alice.registerDevice({ id, publicKey: randomBytes(32), clientIds: [fresh] }),
      'conflict',
    )
    await expectCode(bob.registerDevice({ id, publicKey, clientIds: [fresh] }), 'conflict')
    // A client id belongs to one device forever; the refused call bound nothing.
    const error = await expectCode(
      bob.registerDevice({ id: newDeviceId(), publicKey, clientIds: [fresh, ids[1]!] }),
      'conflict',
    )
    expect((error as { serverCode?: string }).serverCode).toBe('PARLEY_CLIENT_ID_TAKEN')
    await alice.registerDevice({ id: newDeviceId(), publicKey, clientIds: [fresh] })

    const other = () => ({ id: newDeviceId(), publicKey: randomBytes(32) })
    await expectCode(
      alice.registerDevice({
        ...other(),
        publicKey: bytes(1, 2, 3),
        clientIds: [randomClientId()],
      }),
      'invalid',
    )
    await expectCode(alice.registerDevice({ ...other(), clientIds: [] }), 'invalid')
    await expectCode(alice.registerDevice({ ...other(), clientIds: [0] }), 'invalid')
    await expectCode(alice.registerDevice({ ...other(), clientIds: [2 ** 53] }), 'invalid')
    const tooMany = Array.from({ length: 65 }, randomClientId)
    await expectCode(alice.registerDevice({ ...other(), clientIds: tooMany }), 'invalid')
  })

  it('binds at most 4096 client ids to one device', async () => {
    const { log } = await connect('alice')
    const device = { id: newDeviceId(), publicKey: randomBytes(32) }
    // Consecutive ids from a random base: 4096 distinct ids in calls of 64.
    const base = 1 + Math.floor(Math.random() * 2 ** 40)
    for (let call = 0; call < 64; call++)
      await log.registerDevice({
        ...device,
        clientIds: Array.from({ length: 64 }, (_, i) => base + call * 64 + i),
      })
    const error = await expectCode(
      log.registerDevice({ ...device, clientIds: [base + 4096] }),
      'invalid',
    )
    expect((error as { serverCode?: string }).serverCode).toBe('PARLEY_TOO_MANY_CLIENT_IDS')
    // Ids it already has are no new ids.
    await log.registerDevice({ ...device, clientIds: [base, base + 4095] })
  })

  it('pushes only with a registered device of the caller and stores its signature', async () => {
    const alice = await connect('alice')
    const bob = await connect('bob')
    const id = newConversationId()
    await alice.log.createConversation({ id })
    await bob.log.joinConversation((await alice.log.createInvite(id)).code)
    const signed = alice.device.entry(bytes(1))
    expect(await alice.log.push(id, [signed])).toEqual([
      { clientUpdateId: signed.clientUpdateId, seq: 1, duplicate: false },
    ])
    const [row] = (await bob.log.pull(id, 0)).updates
    expect(row).toMatchObject({
      seq: 1,
      author: alice.userId,
      device: alice.device.device,
      signature: signed.signature,
    })

    const another = (change: object) => ({ ...alice.device.entry(bytes(2)), ...change })
    // A device nobody registered, and another user's device.
    const unknown = await expectCode(
      alice.log.push(id, [alice.device.entry(bytes(2)), another({ device: newDeviceId() })]),
      'forbidden',
    )
    expect(unknown).toMatchObject({ serverCode: 'PARLEY_UNKNOWN_DEVICE', details: { index: 1 } })
    await expectCode(alice.log.push(id, [another({ device: bob.device.device })]), 'forbidden')
    await expectCode(alice.log.push(id, [another({ signature: randomBytes(63) })]), 'invalid')
    await expectCode(alice.log.push(id, [another({ device: 'not a device' })]), 'invalid')
    // A retry must carry the same device and signature.
    await expectCode(alice.log.push(id, [{ ...signed, signature: randomBytes(64) }]), 'conflict')
    expect(await alice.log.push(id, [signed])).toEqual([
      { clientUpdateId: signed.clientUpdateId, seq: 1, duplicate: true },
    ])
    expect((await alice.log.pull(id, 0)).updates).toHaveLength(1)
  })

  it('lists the devices of the members and of every writer in the log', async () => {
    const alice = await connect('alice')
    const bob = await connect('bob')
    const carol = await connect('carol')
    const id = newConversationId()
    await alice.log.createConversation({ id })
    const code = (await alice.log.createInvite(id)).code
    await bob.log.joinConversation(code)
    await bob.log.push(id, [bob.device.entry(bytes(1))])
    await carol.log.joinConversation(code)
    expect((await alice.log.conversationDevices(id)).map((d) => d.id)).toContain(
      carol.device.device,
    )
    // Carol leaves without writing: her devices go. Bob's stay: his rows are in the log.
    await carol.log.leaveConversation(id)
    await bob.log.leaveConversation(id)
    const devices = await alice.log.conversationDevices(id)
    const ids = devices.map((d) => d.id)
    expect(ids).toContain(alice.device.device)
    expect(ids).not.toContain(carol.device.device)
    expect(devices.find((d) => d.id === bob.device.device)).toEqual({
      id: bob.device.device,
      user: bob.userId,
      publicKey: bob.device.publicKey,
      clientIds: [bob.device.clientId],
    })
    await expectCode(carol.log.conversationDevices(id), 'forbidden')
  })

  it('lists members with roles and tells every member of joins and leaves', async () => {
    const alice = await connect('alice')
    const bob = await connect('bob')
    await Promise.all([inboxOnline(alice.log), inboxOnline(bob.log)])
    const aliceChanged = collect(alice.log, 'members-changed')
    const bobChanged = collect(bob.log, 'members-changed')
    const id = newConversationId()
    await alice.log.createConversation({ id })
    const [owner] = await alice.log.members(id)
    expect(owner).toMatchObject({ user: alice.userId, role: 'owner' })
    expect(typeof owner?.joinedAt).toBe('number')

    await bob.log.joinConversation((await alice.log.createInvite(id)).code)
    await aliceChanged.until('bob joined', (e) => e.conversationId === id)
    await bobChanged.until('bob joined, at bob', (e) => e.conversationId === id)
    expect((await bob.log.members(id)).map((m) => [m.user, m.role])).toEqual([
      [alice.userId, 'owner'],
      [bob.userId, 'member'],
    ])

    const before = aliceChanged.seen.length
    await bob.log.leaveConversation(id)
    await aliceChanged.until('bob left', () => aliceChanged.seen.length > before)
    expect((await alice.log.members(id)).map((m) => m.user)).toEqual([alice.userId])
    await expectCode(bob.log.members(id), 'forbidden')
  })

  it('asks for a compaction: members only, answering whether one started', async () => {
    const alice = await connect('alice')
    const bob = await connect('bob')
    const id = newConversationId()
    await alice.log.createConversation({ id })
    await alice.log.push(id, [alice.device.entry(bytes(1))])
    const result = await alice.log.requestCompaction(id)
    expect(Object.keys(result)).toEqual(['started'])
    expect(typeof result.started).toBe('boolean')
    await expectCode(bob.log.requestCompaction(id), 'forbidden')
  })

  it('rate-limits failed invite codes', async () => {
    const { log } = await connect('mallory')
    for (let i = 0; i < 10; i++)
      await expectCode(log.joinConversation('ZZZZZZZZ'), 'invite-not-found')
    const error = await rejection(log.joinConversation('ZZZZZZZZ'))
    expect(isRemoteLogError(error, 'rate-limited'), String(error)).toBe(true)
    expect((error as { retryable: boolean }).retryable).toBe(true)
    const retryAfter = (error as { details: { retryAfterS?: unknown } }).details.retryAfterS
    expect(typeof retryAfter === 'number' && retryAfter > 0 && retryAfter <= 600).toBe(true)
    // Even a good code waits: the lock is on the user, not the code.
    const { log: alice } = await connect('alice')
    const id = newConversationId()
    await alice.createConversation({ id })
    await expectCode(log.joinConversation((await alice.createInvite(id)).code), 'rate-limited')
  })
}
