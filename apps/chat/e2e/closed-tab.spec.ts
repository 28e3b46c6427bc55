// Nothing typed is lost: a tab closed immediately after "send" leaves the message on the device,
// and it reaches the other device.
import { expect, test } from '@playwright/test'
import { APP_URL, devicePair, messageByText } from './support.js'

test('a tab closed right after send: the message is there after reopening and reaches the other device', async ({
  browser,
}) => {
  // This pair meets by invite code (typed into the join form) rather than by link.
  const { alice, bob, conversationId } = await devicePair(browser, 'Quick exit', { join: 'code' })
  const text = 'sent a moment before the tab closed'
  await alice.page.getByTestId('composer-input').fill(text)
  await alice.page.getByTestId('send-button').click()
  await alice.page.close()

  const again = await alice.context.newPage()
  await again.goto(`${APP_URL}#/c/${conversationId}`)
  await expect(messageByText(again, text)).toBeVisible()
  await expect(messageByText(bob.page, text)).toBeVisible({ timeout: 30_000 })
  await expect(messageByText(bob.page, text)).toHaveAttribute('data-author', 'Alice')
  await expect(messageByText(again, text)).toHaveAttribute(
    'data-status',
    /^(sent|delivered|read)$/,
    {
      timeout: 30_000,
    },
  )
  await alice.context.close()
  await bob.context.close()
})
