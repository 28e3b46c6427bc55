// Helpers for the chat app's end-to-end specs. They drive the app only through its stable
// `data-testid` hooks (see docs/APP.md), as a person would: typing, clicking, reading.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  expect,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from '@playwright/test'

/**
 * The built app: the root playwright.config.ts serves it on CHAT_APP_PORT; apps/chat's own
 * config elsewhere, and says where through PARLEY_CHAT_URL.
 */
export const APP_URL = process.env.PARLEY_CHAT_URL ?? 'http://127.0.0.1:4371/'

/** Where the e2e run writes the README's screenshots. */
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))

/** Saves a screenshot of the page as docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  // No hover or keyboard-focus leftovers (the message actions button shows on either).
  await page.mouse.move(0, 0)
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: 'disabled' })
}

/** One browser profile: a context with its own IndexedDB, SharedWorker and service worker. */
export interface Device {
  readonly context: BrowserContext
  readonly page: Page
  readonly name: string
}

/** A new device, its first tab opened on `url` (default: the app's start page). */
export async function newDevice(
  browser: Browser,
  name: string,
  options: { url?: string; viewport?: { width: number; height: number } } = {},
): Promise<Device> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1100, height: 900 },
  })
  const page = await context.newPage()
  await page.goto(options.url ?? APP_URL)
  return { context, page, name }
}

/** Signs in on the sign-in screen with a display name. */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.getByTestId('display-name-input').fill(name)
  await page.getByTestId('sign-in-button').click()
  await expect(page.getByTestId('connection-status')).toBeVisible()
}

/** Creates a conversation through the sidebar form and returns its id (from the route). */
export async function createConversation(page: Page, title: string): Promise<string> {
  // The page may already show a conversation: wait for the URL of a different one.
  const before = page.url()
  await page.getByTestId('new-conversation-button').click()
  await page.getByTestId('conversation-title-input').fill(title)
  await page.getByTestId('create-conversation-button').click()
  await expect(page).toHaveURL((url) => /#\/c\//.test(url.href) && url.href !== before)
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/c/', ''))
  await expect(page.getByTestId('composer-input')).toBeVisible()
  return id
}

/** Opens the invite panel of the open conversation and returns the join link. */
export async function inviteLink(page: Page): Promise<string> {
  await page.getByTestId('invite-button').click()
  const link = page.getByTestId('invite-link')
  await expect(link).toBeVisible()
  const href = await link.getAttribute('href')
  expect(href).toMatch(/#\/join\//)
  return href!
}

/** Types and sends a message in the open conversation. */
export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text)
  await page.getByTestId('send-button').click()
}

/** The message row whose text is exactly `text`. */
export function messageByText(page: Page, text: string): Locator {
  return page
    .getByTestId('message-item')
    .filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) })
}

/** The texts of the rendered messages, in order. */
export function messageTexts(page: Page): Promise<string[]> {
  return page.getByTestId('message-text').allTextContents()
}

/** The conversation's row in the list. */
export function conversationItem(page: Page, id: string): Locator {
  return page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`)
}

/**
 * Two signed-in devices sharing a new conversation: Alice creates it and invites; Bob opens the
 * join link while signed out, signs in and lands in the conversation.
 */
export async function devicePair(
  browser: Browser,
  title: string,
  options: {
    viewport?: { width: number; height: number }
    aliceUrl?: string
    /** `link` (default): Bob opens the invite link signed out; `code`: he types the code in. */
    join?: 'link' | 'code'
  } = {},
): Promise<{ alice: Device; bob: Device; conversationId: string }> {
  const viewport = options.viewport !== undefined ? { viewport: options.viewport } : {}
  const alice = await newDevice(browser, 'Alice', {
    ...viewport,
    ...(options.aliceUrl !== undefined ? { url: options.aliceUrl } : {}),
  })
  await signIn(alice.page, 'Alice')
  const conversationId = await createConversation(alice.page, title)
  const url = await inviteLink(alice.page)
  const code = await alice.page.getByTestId('invite-code').textContent()
  await alice.page.getByRole('button', { name: 'Done' }).click()
  const byCode = options.join === 'code'
  const bob = await newDevice(browser, 'Bob', { ...(byCode ? {} : { url }), ...viewport })
  await signIn(bob.page, 'Bob')
  if (byCode) {
    await bob.page.getByTestId('join-code-input').fill(code ?? '')
    await bob.page.getByTestId('join-button').click()
  }
  await expect(bob.page).toHaveURL(new RegExp(`#/c/${conversationId}$`))
  return { alice, bob, conversationId }
}
