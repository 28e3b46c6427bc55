// Offline and across tabs, in real Chromium: real IndexedDB (Dexie), real SharedWorker / Workers,
// BroadcastChannel and Web Locks, through the public client API.
import { expect, test, type Page } from '@playwright/test'
import { openTab, texts } from './harness.js'

declare global {
  interface Window {
    seen?: string[]
  }
}

async function watch(page: Page, conversationId: string): Promise<void> {
  await page.evaluate((id) => {
    window.seen = []
    window.parley.subscribeConversation(id, (state) => {
      window.seen = state.page.messages.map((m) => m.text)
    })
  }, conversationId)
}

function engineLocks(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const state = await navigator.locks.query()
    return (state.held ?? []).filter((lock) => lock.name === 'parley:engine').length
  })
}

for (const mode of ['auto', 'dedicated'] as const) {
  test(`(a) two tabs converge live with exactly one engine [${mode}]`, async ({ context }) => {
    const a = await openTab(context, { mode })
    const b = await openTab(context, { mode })
    const infoA = await a.evaluate(() => window.parley.info)
    const infoB = await b.evaluate(() => window.parley.info)
    // One engine serves both tabs, and it alone holds the engine lock (the storage owner).
    expect(infoB.engineId).toBe(infoA.engineId)
    expect(await engineLocks(a)).toBe(1)
    expect([infoA.mode, infoB.mode].sort()).toEqual(
      mode === 'auto' ? ['shared-worker', 'shared-worker'] : ['follower', 'leader'],
    )

    const id = await a.evaluate(
      async () => (await window.parley.createConversation({ title: 'tabs' })).id,
    )
    await watch(b, id)
    await a.evaluate((id) => window.parley.send(id, { text: 'from A' }), id)
    await b.waitForFunction(() => window.seen?.includes('from A'))
    await b.evaluate((id) => window.parley.send(id, { text: 'from B' }), id)
    expect(await texts(a, id)).toEqual(['from A', 'from B'])
  })
}

test('(a) closing the leader tab hands over with no lost write', async ({ context }) => {
  const leader = await openTab(context, { mode: 'dedicated' })
  const follower = await openTab(context, { mode: 'dedicated' })
  expect(await leader.evaluate(() => window.parley.info.mode)).toBe('leader')
  const id = await follower.evaluate(async () => (await window.parley.createConversation({})).id)
  await follower.evaluate((id) => window.parley.send(id, { text: 'before' }), id)

  // Writes in flight while the leader goes away are retried with the next leader.
  await follower.evaluate((id) => {
    window.seen = []
    for (let i = 0; i < 20; i++) {
      void window.parley.send(id, { text: `during ${i}` }).then((m) => window.seen!.push(m.text))
    }
  }, id)
  await leader.close()
  await follower.waitForFunction(() => window.seen?.length === 20, undefined, { timeout: 20_000 })
  await follower.evaluate((id) => window.parley.send(id, { text: 'after' }), id)

  const third = await openTab(context, { mode: 'dedicated' })
  const all = await texts(third, id)
  expect(all).toContain('before')
  expect(all).toContain('after')
  for (let i = 0; i < 20; i++) expect(all).toContain(`during ${i}`)
  expect(new Set(all).size).toBe(all.length)
  expect(await engineLocks(third)).toBe(1)
})

test('(b) a page closed right after send() resolves keeps the message', async ({ context }) => {
  const page = await openTab(context)
  const id = await page.evaluate(async () => (await window.parley.createConversation({})).id)
  await page.evaluate((id) => window.parley.send(id, { text: 'survives the close' }), id)
  await page.close({ runBeforeUnload: false })
  // Let the shared worker die with its last tab, so the reopened page starts a fresh engine.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const again = await openTab(context)
  expect(await texts(again, id)).toEqual(['survives the close'])
})

test('(c) a reload with the network off shows the full history', async ({ context }) => {
  const page = await openTab(context)
  await page.evaluate(() => window.harness.offlineReady)
  const id = await page.evaluate(async () => {
    const c = await window.parley.createConversation({ title: 'offline' })
    for (let i = 0; i < 120; i++) await window.parley.send(c.id, { text: `m${i}` })
    return c.id
  })
  await context.setOffline(true)
  await page.reload()
  await page.evaluate(() => window.harness.ready.then(() => undefined))
  const all = await texts(page, id)
  expect(all).toHaveLength(120)
  expect(all[0]).toBe('m0')
  expect(all[119]).toBe('m119')
  await context.setOffline(false)
})

test('(d) a quota error is a typed error and a failed status; nothing stored is lost', async ({
  context,
}) => {
  const page = await openTab(context)
  const id = await page.evaluate(async () => (await window.parley.createConversation({})).id)
  await page.evaluate((id) => window.parley.send(id, { text: 'stored' }), id)
  const setQuota = (quota: boolean) =>
    page.evaluate(
      (quota) =>
        new Promise<void>((resolve) => {
          const channel = new BroadcastChannel('parley-test-faults')
          channel.onmessage = () => {
            channel.close()
            resolve()
          }
          channel.postMessage({ quota })
        }),
      quota,
    )
  await setQuota(true)
  const error = await page.evaluate(
    (id) =>
      window.parley.send(id, { text: 'no room' }).then(
        () => null,
        (e: { name: string; code?: string }) => ({ name: e.name, code: e.code }),
      ),
    id,
  )
  expect(error).toEqual({ name: 'StorageError', code: 'quota-exceeded' })
  const page1 = await page.evaluate((id) => window.parley.page(id, { limit: 10 }), id)
  const failed = page1.messages.find((m) => m.text === 'no room')
  expect(failed?.status).toBe('failed')
  expect(failed?.failure?.code).toBe('quota-exceeded')
  expect((await page.evaluate(() => window.parley.syncStatus())).failed).toBe(1)

  await setQuota(false)
  await page.close()
  await new Promise((resolve) => setTimeout(resolve, 500))
  const again = await openTab(context)
  expect(await texts(again, id)).toEqual(['stored'])
})
