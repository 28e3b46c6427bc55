// Engine fuzz, 1 device × 3 tabs: the real host logic (engine lock, relay over BroadcastChannel,
// leader promotion, idempotent retries) with in-memory storage and a deterministic lock manager.
// Random sends, edits and reactions from random tabs, tabs closed abruptly and reopened (the
// leader among them). Invariants: every acknowledged send survives, and every open tab — and a
// fresh engine on the stored data — shows the same messages in the same order.
import { describe, expect, it } from 'vitest'
import { Engine, type MessageId } from '@parley/core'
import {
  createMemoryStorage,
  createMemoryStorageData,
  createRng,
  runFuzz,
  type Rng,
  FakeLockManager,
} from '@parley/testing'
import { createHostCore, type HostCore } from '@parley/worker/host'

interface Tab {
  id: string
  core: HostCore
  releaseTabLock: () => void
  open: boolean
}

const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await settle(2)
  }
}

async function runSeed(seed: number, log: (op: string) => void): Promise<void> {
  const rng: Rng = createRng(seed)
  const data = createMemoryStorageData()
  const locks = new FakeLockManager()
  const name = `fuzz-${seed}-${Math.random().toString(36).slice(2)}`
  const tabs: Tab[] = []
  const acknowledged = new Map<MessageId, string>()
  const inFlight = new Set<Promise<unknown>>()
  let tabCounter = 0

  const openTab = async (): Promise<Tab> => {
    const id = `tab${++tabCounter}`
    const core = createHostCore({
      kind: 'dedicated',
      name,
      locks,
      createStorage: () => createMemoryStorage({ data }),
    })
    const tab: Tab = { id, core, releaseTabLock: locks.hold(`parley-tab:${id}`), open: true }
    tabs.push(tab)
    await core.api.init({ user: 'alice', tabId: id })
    log(`open ${id} (${core.mode()})`)
    return tab
  }
  const openTabs = () => tabs.filter((t) => t.open)

  const first = await openTab()
  const conversation = (await first.core.api.createConversation({ id: `c-${seed}`, title: 'fuzz' }))
    .id

  for (let step = 0; step < 40; step++) {
    const live = openTabs()
    const roll = rng.next()
    if (roll < 0.55 && live.length > 0) {
      const tab = rng.pick(live)
      const messageId = `m${step}x${seed}` as MessageId
      const text = `s${step}`
      log(`${tab.id} send ${text}`)
      const call = tab.core.api.send(conversation, { id: messageId, text }).then(
        () => void acknowledged.set(messageId, text),
        () => undefined, // its tab closed first: never acknowledged, may or may not exist
      )
      inFlight.add(call)
      void call.finally(() => inFlight.delete(call))
      if (rng.bool(0.5)) await call
    } else if (roll < 0.65 && live.length > 0 && acknowledged.size > 0) {
      const tab = rng.pick(live)
      const target = rng.pick([...acknowledged.keys()])
      log(`${tab.id} react ${target}`)
      await tab.core.api.react(conversation, target, rng.pick(['👍', '🎉'])).catch(() => undefined)
    } else if (roll < 0.8 && live.length > 1) {
      const tab = rng.pick(live)
      log(`close ${tab.id} (${tab.core.mode()})`)
      tab.open = false
      tab.releaseTabLock()
      await tab.core.close()
    } else if (live.length < 3) {
      await openTab()
    }
    if (rng.bool(0.3)) await settle()
  }
  if (openTabs().length === 0) await openTab()
  await waitFor(() => inFlight.size === 0, 'in-flight calls to settle')

  // Every open tab converges on the same list, containing every acknowledged send. A send whose
  // tab closed may still land after its caller gave up, so wait until two rounds agree.
  const snapshot = async (): Promise<string[][]> =>
    Promise.all(
      openTabs().map(async (tab) =>
        (await tab.core.api.page(conversation, { limit: 1000 })).messages.map((m) => m.id),
      ),
    )
  let ids = await snapshot()
  for (let round = 0; round < 100; round++) {
    await settle(5)
    const next = await snapshot()
    const stable = JSON.stringify(next) === JSON.stringify(ids)
    ids = next
    if (stable) break
  }
  for (const list of ids) expect(list).toEqual(ids[0])
  for (const id of acknowledged.keys()) expect(ids[0]).toContain(id)
  expect(new Set(ids[0]).size).toBe(ids[0]!.length)

  for (const tab of openTabs()) {
    tab.releaseTabLock()
    await tab.core.close()
  }
  // And what is stored has it all, in the same order.
  const engine = await Engine.open({ storage: createMemoryStorage({ data }), user: 'alice' })
  const stored = (await engine.page(conversation, { limit: 1000 })).messages.map((m) => m.id)
  await engine.close()
  expect(stored).toEqual(ids[0])
}

describe('engine across tabs (fuzz)', () => {
  it('loses no acknowledged write and converges under tab closes and leader changes', async () => {
    await runFuzz({
      name: 'engine across tabs (fuzz)',
      seeds: 40,
      run: (seed, trace) => runSeed(seed, (op) => trace.log(op)),
    })
  })
})
