// Parley riding on the app's Supabase session, in real Chromium against the emulator: the page's
// own supabase-js client signs in, connectSupabaseAuth hands the session to the engine's worker.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'

const SERVER = 'http://127.0.0.1:54330'
const ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'
const url = (mode: 'auto' | 'dedicated', server = SERVER, key = ANON_KEY) =>
  `http://127.0.0.1:4317/?mode=${mode}&server=${encodeURIComponent(server)}&anon=${encodeURIComponent(key)}`

async function open(context: BrowserContext, mode: 'auto' | 'dedicated' = 'auto'): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url(mode))
  await page.evaluate(() => window.harness.ready.then(() => undefined))
  return page
}

const authOf = (page: Page) =>
  page.evaluate(() => {
    const auth = window.parley.auth
    return auth.status === 'signed-in' ? auth.user.id : 'signed-out'
  })

test('a second user on the same browser never sees the first user’s data', async ({ browser }) => {
  const context = await browser.newContext()
  const page = await open(context)
  const ada = await page.evaluate(() => window.harness.signIn('Ada'))
  await page.evaluate(async () => {
    const c = await window.parley.createConversation({ title: 'Ada private' })
    await window.parley.send(c.id, { text: 'for Ada only' })
  })
  expect(await page.evaluate(async () => (await window.parley.listConversations()).length)).toBe(1)

  // Another user signs in with the app's client: the engine switches to their own database.
  const bob = await page.evaluate(() => window.harness.signIn('Bob'))
  expect(bob).not.toBe(ada)
  await expect.poll(() => authOf(page)).toBe(bob)
  expect(await page.evaluate(() => window.parley.listConversations())).toEqual([])
  const databases = await page.evaluate(async () =>
    (await indexedDB.databases())
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith('parley-harness:')),
  )
  expect(databases.sort()).toEqual([`parley-harness:${ada}`, `parley-harness:${bob}`].sort())
  await context.close()
})

test('signing out in one tab signs every tab out; pending changes are refused unless forced', async ({
  browser,
}) => {
  const context = await browser.newContext()
  const first = await open(context, 'dedicated')
  const second = await open(context, 'dedicated')
  const user = await first.evaluate(() => window.harness.signIn('Cy'))
  await expect.poll(() => authOf(second)).toBe(user)

  const id = await first.evaluate(
    async () => (await window.parley.createConversation({ title: 'x' })).id,
  )
  await expect
    .poll(() => first.evaluate(async () => (await window.parley.syncStatus()).pending))
    .toBe(0)
  await context.setOffline(true)
  await first.evaluate((id) => window.parley.send(id, { text: 'waiting' }), id)
  const refused = await first.evaluate(() =>
    window.parley.signOut().then(
      () => null,
      (error: { name: string; code: string }) => ({ name: error.name, code: error.code }),
    ),
  )
  expect(refused).toEqual({ name: 'HostError', code: 'pending-changes' })
  expect(await authOf(second)).toBe(user)

  await first.evaluate(() => window.parley.signOut({ force: true }))
  await expect.poll(() => authOf(first)).toBe('signed-out')
  await expect.poll(() => authOf(second)).toBe('signed-out')
  await context.close()
})

test('a malformed URL or key is a typed configuration error, not a blank page', async ({
  browser,
}) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  for (const [server, key, code] of [
    ['not-a-url', ANON_KEY, 'invalid-url'],
    [SERVER, 'sb_secret_oops', 'secret-key'],
    [SERVER, 'garbage', 'invalid-key'],
  ] as const) {
    await page.goto(url('auto', server, key))
    const failure = await page.evaluate(() =>
      window.harness.ready.then(
        () => null,
        (error: { name: string; code: string }) => ({ name: error.name, code: error.code }),
      ),
    )
    expect(failure).toEqual({ name: 'SupabaseConfigError', code })
  }
  await context.close()
})
