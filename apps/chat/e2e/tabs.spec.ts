// Two tabs of one browser share one engine: the same thread, live in both.
import { expect, test } from '@playwright/test'
import {
  APP_URL,
  conversationItem,
  createConversation,
  messageByText,
  messageTexts,
  newDevice,
  send,
  signIn,
} from './support.js'

test('two tabs of one device show the same thread live', async ({ browser }) => {
  const device = await newDevice(browser, 'Carol')
  const first = device.page
  await signIn(first, 'Carol')
  const id = await createConversation(first, 'Two tabs')

  // The second tab needs no sign-in: the session lives in the engine, shared by every tab.
  const second = await device.context.newPage()
  await second.goto(`${APP_URL}#/c/${id}`)
  await expect(second.getByTestId('composer-input')).toBeVisible()

  // The list is virtualized and a background tab does not lay out, so each tab is brought to the
  // front (as a person switching tabs does) before its thread is read.
  await first.bringToFront()
  await send(first, 'from tab one')
  await second.bringToFront()
  await expect(messageByText(second, 'from tab one')).toBeVisible()
  await send(second, 'from tab two')
  await first.bringToFront()
  await expect(messageByText(first, 'from tab two')).toBeVisible()
  await expect(messageByText(first, 'from tab two')).toHaveAttribute('data-author', 'Carol')

  // An edit and a reaction made in one tab show in the other.
  const row = messageByText(first, 'from tab one')
  await row.hover()
  await row.getByTestId('message-actions-button').click()
  await row.getByTestId('edit-button').click()
  await first.getByTestId('composer-input').fill('from tab one, edited')
  await first.getByTestId('composer-input').press('Enter')
  await second.bringToFront()
  const edited = messageByText(second, 'from tab one, edited')
  await expect(edited).toBeVisible()
  await edited.hover()
  await edited.getByTestId('message-actions-button').click()
  await edited.getByTestId('react-button').first().click()
  await first.bringToFront()
  await expect(messageByText(first, 'from tab one, edited').getByTestId('reaction')).toHaveText(
    /👍\s*1/,
  )

  expect(await messageTexts(first)).toEqual(['from tab one, edited', 'from tab two'])
  await second.bringToFront()
  await expect(second.getByTestId('reaction')).toHaveText(/👍\s*1/)
  expect(await messageTexts(second)).toEqual(await messageTexts(first))
  // The conversation list is live in both tabs too.
  await expect(conversationItem(first, id)).toContainText('from tab two')
  await expect(conversationItem(second, id)).toContainText('from tab two')

  // A delete in one tab leaves only the message's place in the other.
  await send(second, 'to be deleted')
  const doomed = messageByText(second, 'to be deleted')
  await doomed.hover()
  await doomed.getByTestId('message-actions-button').click()
  await doomed.getByTestId('delete-button').click()
  await expect(second.getByTestId('message-deleted')).toHaveCount(1)
  await first.bringToFront()
  await expect(first.getByTestId('message-deleted')).toHaveCount(1)
  expect(await messageTexts(first)).toEqual(['from tab one, edited', 'from tab two'])
  await device.context.close()
})
