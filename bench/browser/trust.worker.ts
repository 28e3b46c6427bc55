// Measures, per operation, what trust adds to one chat message in a worker: signing it, verifying
// it, and running the rules on it — next to Y.applyUpdate of the same bytes. The page is
// cross-origin isolated, so performance.now() has 5 µs resolution; each figure is one operation.
import * as Y from 'yjs'
import {
  ConversationDoc,
  DeviceDirectory,
  checkUpdate,
  createDeviceKeyPair,
  importDevicePublicKey,
  signUpdate,
  verifyUpdate,
  type ConversationId,
  type UserId,
} from '@parley/core'
import type { TrustTimings } from './trust-api.js'

const conversation = 'trust-bench' as ConversationId

self.onmessage = async (event: MessageEvent<number>) => {
  const samples = event.data
  const doc = new ConversationDoc({
    id: conversation,
    user: 'ann',
    device: 'd-ann',
    clientId: 2 ** 33,
  })
  for (let k = 0; k < 1000; k++) doc.send({ text: `warm-up message ${k} `.padEnd(80, '.') })
  const base = doc.encodeStateAsUpdate()
  const updates: Uint8Array[] = []
  const off = doc.on('update', ({ update }) => {
    updates.push(update)
  })
  for (let k = 0; k < samples; k++)
    doc.send({ text: `a chat message of an ordinary length, number ${k}` })
  off()

  const keys = await createDeviceKeyPair()
  const publicKey = await importDevicePublicKey(keys.publicKey)
  const directory = new DeviceDirectory([{ id: 'd-ann', user: 'ann', clientIds: [2 ** 33] }])
  const sender = directory.sender('d-ann', 'ann' as UserId, 'member')!
  const replica = new Y.Doc()
  Y.applyUpdate(replica, base)

  const timings: TrustTimings = { sign: [], verify: [], check: [], apply: [], updateBytes: 0 }
  const signatures: Uint8Array[] = []
  for (const update of updates) {
    const t0 = performance.now()
    signatures.push(await signUpdate(keys.privateKey, conversation, update))
    timings.sign.push((performance.now() - t0) * 1000)
  }
  for (let k = 0; k < updates.length; k++) {
    const t0 = performance.now()
    const ok = await verifyUpdate(publicKey, conversation, updates[k]!, signatures[k]!)
    timings.verify.push((performance.now() - t0) * 1000)
    if (!ok) throw new Error('a signature did not verify')
  }
  for (const update of updates) {
    const t0 = performance.now()
    const verdict = checkUpdate(replica, update, sender, directory)
    timings.check.push((performance.now() - t0) * 1000)
    if (verdict.status !== 'accept') throw new Error(`rules: ${verdict.status}`)
    const t1 = performance.now()
    Y.applyUpdate(replica, update)
    timings.apply.push((performance.now() - t1) * 1000)
  }
  const sizes = updates.map((u) => u.byteLength).sort((a, b) => a - b)
  timings.updateBytes = sizes[sizes.length >> 1] ?? 0
  self.postMessage(timings)
}
