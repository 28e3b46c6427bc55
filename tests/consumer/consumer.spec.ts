// The consumer test: an app written outside the monorepo against the packed packages (see
// README.md here), with its own sign-in through its own supabase-js client. User A signs up with
// e-mail + password, user B signs in with a magic link read from the emulator's mail catcher; A
// invites B, they write both ways; A signs out in one tab and every tab of A is signed out; a
// reload with the network off shows B's history from the service worker and IndexedDB.
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'

const APP_URL = 'http://127.0.0.1:4381/'
const SUPABASE_URL = 'http://127.0.0.1:54381'
const MAIL_API = `${SUPABASE_URL}/mailpit/api/v1`

async function newUser(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(APP_URL)
  await expect(page.getByTestId('sign-in')).toBeVisible()
  return { context, page }
}

/** The magic link of the newest mail to `email`, from the Mailpit-compatible API. */
async function magicLink(email: string): Promise<string> {
  const query = encodeURIComponent(`to:"${email}"`)
  let id: string | undefined
  await expect
    .poll(async () => {
      const list = (await (await fetch(`${MAIL_API}/search?query=${query}`)).json()) as {
        messages: { ID: string }[]
      }
      id = list.messages[0]?.ID
      return id
    })
    .toBeDefined()
  const message = (await (await fetch(`${MAIL_API}/message/${id!}`)).json()) as {
    Subject: string
    HTML: string
  }
  expect(message.Subject).toBe('Your Magic Link')
  const href = /href="([^"]+\/auth\/v1\/verify[^"]+)"/.exec(message.HTML)?.[1]
  expect(href).toBeDefined()
  return href!.replace(/&amp;/g, '&')
}

const messages = (page: Page) => page.getByTestId('message')

test('two users of an app with its own auth chat through Parley installed from the tarballs', async ({
  browser,
}) => {
  const stamp = Date.now()
  const adaEmail = `ada-${stamp}@example.com`
  const bobEmail = `bob-${stamp}@example.com`

  // A: e-mail + password sign-up in the app's own form.
  const ada = await newUser(browser)
  await ada.page.getByTestId('email').fill(adaEmail)
  await ada.page.getByTestId('password').fill('correct horse battery staple')
  await ada.page.getByTestId('sign-up-submit').click()
  await expect(ada.page.getByTestId('me')).toHaveText(`ada-${stamp}`)

  // B: magic link from the mail catcher, opened in B's browser.
  const bob = await newUser(browser)
  await bob.page.getByTestId('email').fill(bobEmail)
  await bob.page.getByTestId('magic-link-submit').click()
  await expect(bob.page.getByTestId('magic-link-sent')).toBeVisible()
  await bob.page.goto(await magicLink(bobEmail))
  await expect(bob.page.getByTestId('me')).toHaveText(`bob-${stamp}`)

  // A creates a conversation and invites B; B joins with the code.
  await ada.page.getByTestId('new-conversation').getByRole('textbox').fill('Lunch')
  await ada.page.getByTestId('new-conversation').getByRole('button').click()
  await expect(ada.page.getByTestId('thread')).toBeVisible()
  await ada.page.getByTestId('invite').click()
  const code = (await ada.page.getByTestId('invite-code').textContent()) ?? ''
  expect(code).toMatch(/^[A-Z0-9]{6,}$/)
  await bob.page.getByTestId('join').getByRole('textbox').fill(code)
  await bob.page.getByTestId('join').getByRole('button').click()
  await expect(bob.page.getByTestId('thread')).toBeVisible()

  // Both ways, live.
  const send = async (page: Page, text: string) => {
    await page.getByTestId('composer').getByRole('textbox').fill(text)
    await page.getByTestId('composer').getByRole('button').click()
  }
  await send(ada.page, 'hello Bob')
  await expect(messages(bob.page).filter({ hasText: 'hello Bob' })).toBeVisible()
  await send(bob.page, 'hi Ada')
  await expect(messages(ada.page).filter({ hasText: 'hi Ada' })).toBeVisible()
  await expect(messages(ada.page).filter({ hasText: 'hello Bob' })).toHaveAttribute(
    'data-status',
    /^(sent|delivered|read)$/,
  )

  // A second tab of A shares the session; signing out in one tab signs every tab out.
  const adaSecond = await ada.context.newPage()
  await adaSecond.goto(APP_URL)
  await expect(adaSecond.getByTestId('me')).toHaveText(`ada-${stamp}`)
  await ada.page.getByTestId('sign-out').click()
  await expect(ada.page.getByTestId('sign-in')).toBeVisible()
  await expect(adaSecond.getByTestId('sign-in')).toBeVisible()

  // B reloads with the network off: the app shell comes from the service worker, the history
  // from IndexedDB.
  await bob.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
  await expect
    .poll(() => bob.page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'))
    .toBe('activated')
  await bob.context.setOffline(true)
  await bob.page.reload()
  await expect(bob.page.getByTestId('me')).toHaveText(`bob-${stamp}`)
  await bob.page.getByTestId('conversation').filter({ hasText: 'Lunch' }).click()
  await expect(messages(bob.page).filter({ hasText: 'hello Bob' })).toBeVisible()
  await expect(messages(bob.page).filter({ hasText: 'hi Ada' })).toBeVisible()
  await bob.context.setOffline(false)

  await ada.context.close()
  await bob.context.close()
})
