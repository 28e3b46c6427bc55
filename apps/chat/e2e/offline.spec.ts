// A device goes offline and keeps working: 20 messages, an edit and a reaction wait in its
// outbox while the other device sends 10. Back online, both show the same 30 messages in the
// same order, and the banner returns to online with nothing pending.
//
// Run twice: with the engine in a SharedWorker (the default), and in dedicated workers
// (`?engine=dedicated`, the Android path). Playwright's offline mode cuts the network of pages
// and dedicated workers but not of a SharedWorker; there the engine goes offline because the
// tabs forward `navigator.onLine` to it.
import { expect, test, type Page } from '@playwright/test'
import { APP_URL, devicePair, messageByText, messageTexts, screenshot } from './support.js'

async function sendAll(page: Page, texts: readonly string[]): Promise<void> {
  const composer = page.getByTestId('composer-input')
  for (const text of texts) {
    await composer.fill(text)
    await composer.press('Enter')
  }
}

const range = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`)

for (const engine of ['shared', 'dedicated'] as const) {
  test(`an offline device sends, edits and reacts; both devices converge on reconnect [${engine}]`, async ({
    browser,
  }) => {
    const { alice, bob } = await devicePair(browser, 'Road trip', {
      viewport: { width: 1000, height: 1300 },
      aliceUrl: engine === 'dedicated' ? `${APP_URL}?engine=dedicated` : APP_URL,
    })
    const a = alice.page
    const b = bob.page
    const status = a.getByTestId('connection-status')
    await expect(status).toHaveAttribute('data-state', 'online', { timeout: 15_000 })

    await alice.context.setOffline(true)
    await expect(status).toHaveAttribute('data-state', 'offline')
    await sendAll(a, range('offline', 20))
    await expect(messageByText(a, 'offline 20')).toHaveAttribute('data-status', 'sending')

    // Edit one message and react to another, still offline.
    const toEdit = messageByText(a, 'offline 5')
    await toEdit.hover()
    await toEdit.getByTestId('message-actions-button').click()
    await toEdit.getByTestId('edit-button').click()
    await a.getByTestId('composer-input').fill('offline 5 (edited)')
    await a.getByTestId('composer-input').press('Enter')
    await expect(messageByText(a, 'offline 5 (edited)')).toBeVisible()
    const toReact = messageByText(a, 'offline 3')
    await toReact.hover()
    await toReact.getByTestId('message-actions-button').click()
    await toReact.getByTestId('react-button').first().click()
    await expect(toReact.getByTestId('reaction')).toHaveText(/👍\s*1/)

    await sendAll(b, range('online', 10))
    await expect(messageByText(b, 'online 10')).toBeVisible()
    expect(Number(await status.getAttribute('data-pending'))).toBeGreaterThan(0)
    await expect(messageByText(b, 'offline 1')).toHaveCount(0)
    if (engine === 'shared') await screenshot(a, 'offline')

    await alice.context.setOffline(false)
    await expect(status).toHaveAttribute('data-state', 'online', { timeout: 30_000 })
    await expect(status).toHaveAttribute('data-pending', '0', { timeout: 30_000 })
    await expect.poll(() => messageTexts(b), { timeout: 30_000 }).toHaveLength(30)
    await expect.poll(() => messageTexts(a), { timeout: 30_000 }).toHaveLength(30)
    const onA = await messageTexts(a)
    expect(await messageTexts(b)).toEqual(onA)
    expect(onA).toContain('offline 5 (edited)')
    expect(onA).not.toContain('offline 5')
    await expect(messageByText(b, 'offline 3').getByTestId('reaction')).toHaveText(/👍\s*1/)
    await alice.context.close()
    await bob.context.close()
  })
}
