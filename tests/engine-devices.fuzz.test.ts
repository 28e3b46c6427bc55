// Engine fuzz, 3 devices × 2 tabs: per device the real host logic (engine lock, relay between
// tabs, leader takeover) over in-memory storage; between devices the in-memory doubles of the
// server log (idempotent pushes, seqs, inbox notices) and of the live transport (seeded network).
// Random sends, edits and reactions; tabs closed and reopened; devices offline; live partitions;
// server outages; expired tokens. After healing, every device shows the same messages in the same
// order with the same reactions, and no acknowledged send is missing.
import { describe, expect, it } from 'vitest'
import type { MessageId, MessageItem } from '@parley/core'
import {
  createMemoryRemoteLogServer,
  createMemoryStorage,
  createMemoryStorageData,
  createMemoryTransportHub,
  createRng,
  runFuzz,
  type MemoryRemoteLogServer,
  type MemoryTransportHub,
  type Rng,
  FakeLockManager,
} from '@parley/testing'
import {
  createHostCore,
  createMemoryAuthMemory,
  type HostCore,
  type ServerConnector,
} from '@parley/worker/host'

interface Tab {
  id: string
  core: HostCore
  open: boolean
}

interface Device {
  name: string
  user: string
  locks: FakeLockManager
  tabs: Tab[]
  online: boolean
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function connector(
  server: MemoryRemoteLogServer,
  hub: MemoryTransportHub,
  device: Device,
): ServerConnector {
  let engines = 0
  return {
    open: ({ user }) => ({
      remote: server.connect(user.id),
      transports: [
        hub.createTransport(
          `${device.name}-${++engines}-${Math.random().toString(36).slice(2, 8)}`,
        ),
      ],
    }),
    close: () => undefined,
  }
}

function view(messages: readonly MessageItem[]): string[] {
  return messages.map((m) => `${m.id}|${m.text}|${JSON.stringify(m.reactions)}`)
}

async function runSeed(seed: number, log: (op: string) => void): Promise<void> {
  const rng: Rng = createRng(seed)
  const server = createMemoryRemoteLogServer()
  const hub = createMemoryTransportHub({
    seed,
    dropRate: 0.05,
    duplicateRate: 0.05,
    reorderRate: 0.1,
  })
  const run = `${seed}-${Math.random().toString(36).slice(2, 8)}`
  const acknowledged = new Set<MessageId>()
  const inFlight = new Set<Promise<unknown>>()
  let tabCounter = 0

  const devices: Device[] = ['ann', 'bo', 'cy'].map((name) => ({
    name,
    user: `${name}-user`,
    locks: new FakeLockManager(),
    tabs: [],
    online: true,
  }))
  const storageOf = new Map(devices.map((d) => [d.name, createMemoryStorageData()]))
  const connectorOf = new Map(devices.map((d) => [d.name, connector(server, hub, d)]))
  // Each device's browser remembers its user across workers (IndexedDB in a real browser).
  const memoryOf = new Map(devices.map((d) => [d.name, createMemoryAuthMemory()]))

  const openTab = async (device: Device): Promise<Tab> => {
    const id = `${device.name}-tab${++tabCounter}`
    const core = createHostCore({
      kind: 'dedicated',
      name: `${device.name}-${run}`,
      locks: device.locks,
      createStorage: () => createMemoryStorage({ data: storageOf.get(device.name)! }),
      connect: () => connectorOf.get(device.name)!,
      authMemory: memoryOf.get(device.name)!,
      engine: {
        deliveredDelayMs: 5,
        serverSync: {
          retry: { delayMs: () => 5, capMs: () => 5, shouldRetry: () => true, next: () => 5 },
        },
      },
    })
    const tab: Tab = { id, core, open: true }
    device.tabs.push(tab)
    await core.api.init({ tabId: id })
    // As connectSupabaseAuth does: hand over the app's session, and again whenever the engine
    // lacks a token (a new leader restored the user without one).
    const session = {
      user: { id: device.user, displayName: device.name },
      accessToken: `token-${device.user}`,
    }
    await core.api.subscribeAuth(id, (state) => {
      if (tab.open && (state.status === 'signed-out' || state.token !== 'valid'))
        core.api.setSession(session).catch(() => undefined)
    })
    await core.api.setSession(session)
    if (!device.online) await core.api.setNetwork(false)
    return tab
  }
  const liveTabs = (device: Device) => device.tabs.filter((t) => t.open)
  const anyTab = (device: Device) => liveTabs(device)[0]!

  for (const device of devices) {
    await openTab(device)
    await openTab(device)
  }
  const [ann, bo, cy] = devices as [Device, Device, Device]
  const conversation = (
    await anyTab(ann).core.api.createConversation({ id: crypto.randomUUID(), title: 'fuzz' })
  ).id
  const { code } = await anyTab(ann).core.api.createInvite(conversation)
  await anyTab(bo).core.api.joinConversation(code)
  await anyTab(cy).core.api.joinConversation(code)
  log('setup: ann created, bo and cy joined')

  for (let step = 0; step < 30; step++) {
    const device = rng.pick(devices)
    const roll = rng.next()
    if (roll < 0.5 && liveTabs(device).length > 0) {
      const tab = rng.pick(liveTabs(device))
      const messageId = `m${step}-${seed}` as MessageId
      log(`${tab.id} send ${messageId}`)
      const call = tab.core.api.send(conversation, { id: messageId, text: `t${step}` }).then(
        () => void acknowledged.add(messageId),
        () => undefined, // its tab closed first: never acknowledged
      )
      inFlight.add(call)
      void call.finally(() => inFlight.delete(call))
      if (rng.bool(0.5)) await call
    } else if (roll < 0.6 && acknowledged.size > 0 && liveTabs(device).length > 0) {
      const target = rng.pick([...acknowledged])
      log(`${device.name} react ${target}`)
      await anyTab(device)
        .core.api.react(conversation, target, rng.pick(['👍', '🎉']))
        .catch(() => undefined)
    } else if (roll < 0.7 && liveTabs(device).length > 1) {
      const tab = rng.pick(liveTabs(device))
      log(`close ${tab.id}`)
      tab.open = false
      await tab.core.close()
    } else if (roll < 0.78 && liveTabs(device).length < 2) {
      log(`open a tab on ${device.name}`)
      await openTab(device)
    } else if (roll < 0.86) {
      device.online = !device.online
      log(`${device.name} ${device.online ? 'online' : 'offline'}`)
      for (const tab of liveTabs(device)) await tab.core.api.setNetwork(device.online)
    } else if (roll < 0.92) {
      log('partition ann | bo, cy (live transport)')
      hub.network.partition(
        hub.network.peers().filter((p) => p.startsWith('ann')),
        hub.network.peers().filter((p) => !p.startsWith('ann')),
      )
    } else if (roll < 0.96) {
      log('server outage')
      server.setOffline(true)
      await sleep(rng.int(1, 20))
      server.setOffline(false)
    } else {
      log('tokens expire')
      server.failNext({ code: 'auth-expired', count: rng.int(1, 4) })
    }
    if (rng.bool(0.3)) await sleep(rng.int(0, 5))
  }

  // Heal: everyone online, network whole, server up; wait until pushes and pulls settle.
  log('heal')
  server.setOffline(false)
  hub.network.heal()
  hub.network.configure({ dropRate: 0, duplicateRate: 0, reorderRate: 0 })
  for (const device of devices) {
    device.online = true
    if (liveTabs(device).length === 0) await openTab(device)
    for (const tab of liveTabs(device)) await tab.core.api.setNetwork(true)
  }
  const deadline = Date.now() + 15_000
  while (inFlight.size > 0 && Date.now() < deadline) await sleep(5)
  expect(inFlight.size).toBe(0)

  const snapshot = async () =>
    Promise.all(
      devices.map(async (d) =>
        view((await anyTab(d).core.api.page(conversation, { limit: 1000 })).messages),
      ),
    )
  let views = await snapshot()
  while (Date.now() < deadline) {
    const pending = await Promise.all(
      devices.map(async (d) => (await anyTab(d).core.api.syncStatus()).pending),
    )
    const same = views.every((v) => JSON.stringify(v) === JSON.stringify(views[0]))
    if (same && pending.every((p) => p === 0)) break
    await sleep(10)
    views = await snapshot()
  }
  for (const v of views) expect(v).toEqual(views[0])
  const ids = views[0]!.map((line) => line.split('|')[0])
  for (const id of acknowledged) expect(ids).toContain(id)
  log(`converged: ${ids.length} messages, ${acknowledged.size} acknowledged sends`)

  for (const device of devices) for (const tab of liveTabs(device)) await tab.core.close()
  hub.close()
}

describe('engine across devices (fuzz)', () => {
  it('converges 3 devices × 2 tabs under offline, partitions, outages and expired tokens', async () => {
    await runFuzz({
      name: 'engine across devices (fuzz)',
      seeds: 15,
      run: (seed, trace) => runSeed(seed, (op) => trace.log(op)),
    })
  })
})
