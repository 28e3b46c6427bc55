// After one visit, the service worker has cached the app (the engine's worker included), so a
// reload with no network opens the app and the whole history from IndexedDB.
import { expect, test, type Page } from '@playwright/test'
import { APP_URL, createConversation, messageByText, newDevice, signIn } from './support.js'

const COUNT = 70

/** Scrolls the thread to the top until the start of the conversation is loaded. */
async function scrollToStart(page: Page): Promise<void> {
  const scroller = page.getByTestId('message-list').locator('[data-virtuoso-scroller="true"]')
  await expect(async () => {
    await scroller.evaluate((el) => el.scrollTo({ top: 0 }))
    await expect(page.getByText('Start of the conversation')).toBeVisible({ timeout: 500 })
  }).toPass({ timeout: 15_000 })
}

// With dedicated workers Playwright's offline mode reaches the engine's worker too (not a
// SharedWorker's), so that run proves the worker bundle also comes from the service worker.
for (const engine of ['shared', 'dedicated'] as const) {
  test(`a reload with the network off shows the app and the full history [${engine}]`, async ({
    browser,
  }) => {
    const device = await newDevice(browser, 'Dana', {
      url: engine === 'dedicated' ? `${APP_URL}?engine=dedicated` : APP_URL,
    })
    const { page, context } = device
    await signIn(page, 'Dana')
    await createConversation(page, 'Offline history')
    const composer = page.getByTestId('composer-input')
    for (let i = 1; i <= COUNT; i++) {
      await composer.fill(`message ${i}`)
      await composer.press('Enter')
    }
    await expect(messageByText(page, `message ${COUNT}`)).toBeVisible()

    // The service worker is active and controls the page; the manifest is linked and served.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined))
    await expect
      .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'))
      .toBe('activated')
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')
      if (link === null) return undefined
      return (await (await fetch(link.href)).json()) as { name: string; icons: unknown[] }
    })
    expect(manifest?.name).toBe('Parley Chat')
    expect(manifest?.icons.length).toBeGreaterThanOrEqual(2)

    await context.setOffline(true)
    await page.reload()
    await expect(page.getByTestId('connection-status')).toBeVisible()
    if (engine === 'dedicated') {
      // Only here is the engine's own network cut. (After a reload under Playwright's offline
      // mode the page's navigator.onLine reads true, and a SharedWorker keeps its network.)
      await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'offline')
    }
    await expect(messageByText(page, `message ${COUNT}`)).toBeVisible()
    // Older pages load on scroll, from IndexedDB, with no network.
    await scrollToStart(page)
    await expect(messageByText(page, 'message 1')).toBeVisible()
    await context.setOffline(false)
    await context.close()
  })
}
