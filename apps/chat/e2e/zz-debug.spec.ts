import { expect, test } from '@playwright/test'
import { createConversation, messageByText, newDevice, send, signIn } from './support.js'

test('debug', async ({ browser }) => {
  const device = await newDevice(browser, 'Dbg')
  const { page } = device
  page.on('console', (m) => console.log('[page1]', m.type(), m.text().slice(0, 300)))
  await signIn(page, 'Dbg')
  await createConversation(page, 'dbg')
  await send(page, 'one')
  await send(page, 'two')
  await expect(messageByText(page, 'two')).toBeVisible()
  const row = messageByText(page, 'one')
  await row.hover()
  await row.getByTestId('message-actions-button').click()
  await row.getByTestId('react-button').first().evaluate((b) => (b as HTMLButtonElement).click())
  await page.waitForTimeout(1500)
  console.log('ROW', await row.evaluate((el) => el.outerHTML))
  await page.reload()
  await expect(messageByText(page, 'two')).toBeVisible()
  console.log('ROW after reload', await row.evaluate((el) => el.outerHTML))
  const r2 = messageByText(page, 'two')
  await r2.hover()
  await r2.getByTestId('message-actions-button').click()
  await r2.getByTestId('react-button').first().click()
  await page.waitForTimeout(1000)
  console.log('ROW2', await r2.evaluate((el) => el.outerHTML))
})
