// Two devices (two browser contexts, each with its own IndexedDB, engine and session) meet
// through an invite link and chat through the emulator: ticks walk to "read" on both sides,
// typing and presence show and clear. The run also takes the README's list and thread shots.
import { expect, test } from '@playwright/test'
import {
  conversationItem,
  createConversation,
  devicePair,
  messageByText,
  screenshot,
  send,
} from './support.js'

test('two devices: invite link, messages, read ticks, typing and presence', async ({ browser }) => {
  const { alice, bob, conversationId } = await devicePair(browser, 'Weekend plans')
  const a = alice.page
  const b = bob.page

  // Bob is in the conversation on Alice's screen as soon as his device opens it.
  const bobDot = a.getByTestId('presence-dot')
  await expect(bobDot).toHaveCount(1)
  await expect(bobDot).toHaveAttribute('data-online', 'true')
  const bobId = await bobDot.getAttribute('data-user-id')
  await expect(b.getByTestId('presence-dot')).toHaveAttribute('data-online', 'true')

  await send(a, 'Hi Bob! Saturday at the lake?')
  const fromAlice = messageByText(b, 'Hi Bob! Saturday at the lake?')
  await expect(fromAlice).toBeVisible()
  await expect(fromAlice).toHaveAttribute('data-author', 'Alice')
  await send(b, 'Yes! I will bring the boat.')
  const fromBob = messageByText(a, 'Yes! I will bring the boat.')
  await expect(fromBob).toBeVisible()
  await expect(fromBob).toHaveAttribute('data-author', 'Bob')

  // Both threads are open and visible, so each side reads the other's message: read ticks.
  await expect(messageByText(a, 'Hi Bob! Saturday at the lake?')).toHaveAttribute(
    'data-status',
    'read',
    { timeout: 15_000 },
  )
  await expect(messageByText(b, 'Yes! I will bring the boat.')).toHaveAttribute(
    'data-status',
    'read',
    { timeout: 15_000 },
  )

  // Typing shows on the other device and clears when the text is gone.
  await b.getByTestId('composer-input').fill('Also')
  await expect(a.getByTestId('typing-indicator')).toContainText('Bob')
  await b.getByTestId('composer-input').fill('')
  await expect(a.getByTestId('typing-indicator')).toBeHidden()

  // A reply, shown with its quote on the other device.
  const row = messageByText(b, 'Hi Bob! Saturday at the lake?')
  await row.hover()
  await row.getByTestId('message-actions-button').click()
  await row.getByTestId('reply-button').click()
  await send(b, 'Bringing snacks too')
  await expect(messageByText(a, 'Bringing snacks too')).toContainText(
    'Hi Bob! Saturday at the lake?',
  )

  // Alice starts another conversation: it tops her list, being the latest activity.
  const other = await createConversation(a, 'Book club')
  await send(a, 'Next book: Dune?')
  const items = a.getByTestId('conversation-item')
  await expect(items.first()).toHaveAttribute('data-conversation-id', other)

  // Unread badge and live ordering: Alice looks at her list while Bob writes.
  await a.goto(a.url().replace(/#.*$/, '#/'))
  await send(b, 'See you there')
  const item = conversationItem(a, conversationId)
  await expect(item).toContainText('See you there')
  await expect(item.getByTestId('unread-badge')).toHaveText('1')
  await expect(items.first()).toHaveAttribute('data-conversation-id', conversationId)
  await a.setViewportSize({ width: 390, height: 760 })
  await screenshot(a, 'list')
  await a.setViewportSize({ width: 1100, height: 900 })

  // Opening the conversation reads it: the badge goes, Bob's ticks turn to read.
  await item.click()
  await expect(conversationItem(a, conversationId).getByTestId('unread-badge')).toHaveCount(0)
  await expect(messageByText(b, 'See you there')).toHaveAttribute('data-status', 'read', {
    timeout: 15_000,
  })
  await expect(messageByText(a, 'See you there')).toBeVisible()
  await screenshot(a, 'thread')

  // Bob closes the app: his presence clears and he shows as offline on Alice's screen.
  await bob.context.close()
  await expect(a.locator(`[data-testid="presence-dot"][data-user-id="${bobId}"]`)).toHaveAttribute(
    'data-online',
    'false',
    { timeout: 40_000 },
  )
  await alice.context.close()
})
