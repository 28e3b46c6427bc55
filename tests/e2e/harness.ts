// Helpers for specs that drive the test harness page through `window.parley`.
import type { BrowserContext, Page } from '@playwright/test'

/** The harness URL for a user and worker mode. */
export function harnessUrl(options: { user?: string; mode?: 'auto' | 'dedicated' } = {}): string {
  const params = new URLSearchParams({
    user: options.user ?? 'alice',
    mode: options.mode ?? 'auto',
  })
  return `http://127.0.0.1:4317/?${params.toString()}`
}

/** Opens a harness tab and waits until its client is connected to the engine. */
export async function openTab(
  context: BrowserContext,
  options: { user?: string; mode?: 'auto' | 'dedicated' } = {},
): Promise<Page> {
  const page = await context.newPage()
  await page.goto(harnessUrl(options))
  await page.evaluate(() => window.harness.ready.then(() => undefined))
  return page
}

/** Texts of the conversation's newest page as this tab sees it. */
export function texts(page: Page, conversationId: string, limit = 500): Promise<string[]> {
  return page.evaluate(
    async ({ id, limit }) => (await window.parley.page(id, { limit })).messages.map((m) => m.text),
    { id: conversationId, limit },
  )
}
