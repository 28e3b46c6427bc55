// The Mailpit-compatible mail API (SUPABASE-PROTOCOL-2 §3.7) as a Mailpit client sees it: list,
// search, single message (by ID and `latest`), delete; no API key needed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSupabaseEmulator, type SupabaseEmulator } from '../start-supabase-emulator.js'

interface Summary {
  ID: string
  Read: boolean
  To: { Name: string; Address: string }[]
  Subject: string
  Snippet: string
}
interface List {
  total: number
  unread: number
  count: number
  messages_count: number
  start: number
  messages: Summary[]
}

describe('mail API', () => {
  let emulator: SupabaseEmulator
  beforeAll(async () => {
    emulator = await startSupabaseEmulator({ port: 0, migrationsDir: false, seed: false })
  })
  afterAll(() => emulator.stop())
  beforeEach(() => {
    emulator.mailbox.delete()
    for (const [to, subject] of [
      ['ada@example.com', 'First'],
      ['grace@example.com', 'Second'],
      ['ada@example.com', 'Third'],
    ] as const) {
      emulator.mailbox.deliver({
        from: { Name: 'Admin', Address: 'admin@email.com' },
        to: [{ Name: '', Address: to }],
        subject,
        html: `<p>${subject} body</p>`,
        text: `${subject} body`,
      })
    }
  })

  const get = async (path: string) => {
    const response = await fetch(`${emulator.mailUrl}${path}`)
    return { status: response.status, body: (await response.json()) as unknown }
  }

  it('is served at <url>/mailpit', () => {
    expect(emulator.mailUrl).toBe(`${emulator.url}/mailpit`)
  })

  it('lists messages newest first in Mailpit’s summary shape, with paging', async () => {
    const { status, body } = await get('/api/v1/messages')
    expect(status).toBe(200)
    const list = body as List
    expect(list).toMatchObject({ total: 3, unread: 3, count: 3, messages_count: 3, start: 0 })
    expect(list.messages.map((m) => m.Subject)).toEqual(['Third', 'Second', 'First'])
    expect(list.messages[0]).toEqual({
      ID: expect.any(String),
      MessageID: expect.any(String),
      Read: false,
      From: { Name: 'Admin', Address: 'admin@email.com' },
      To: [{ Name: '', Address: 'ada@example.com' }],
      Cc: [],
      Bcc: [],
      ReplyTo: [],
      Subject: 'Third',
      Created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      Tags: [],
      Size: expect.any(Number),
      Attachments: 0,
      Snippet: 'Third body',
    })
    const page = (await get('/api/v1/messages?start=1&limit=1')).body as List
    expect(page).toMatchObject({ total: 3, count: 1, messages_count: 3, start: 1 })
    expect(page.messages.map((m) => m.Subject)).toEqual(['Second'])
  })

  it('searches by recipient', async () => {
    const query = encodeURIComponent('to:"ada@example.com"')
    const found = (await get(`/api/v1/search?query=${query}`)).body as List
    expect(found.messages.map((m) => m.Subject)).toEqual(['Third', 'First'])
    expect(found).toMatchObject({ total: 3, count: 2, messages_count: 2 })
    const none = (await get(`/api/v1/search?query=${encodeURIComponent('to:nobody@x.co')}`))
      .body as List
    expect(none.messages).toEqual([])
    expect((await fetch(`${emulator.mailUrl}/api/v1/search?query=`)).status).toBe(400)
  })

  it('returns one message with HTML and Text, by ID or as latest, and marks it read', async () => {
    const latest = (await get('/api/v1/message/latest')).body as Record<string, unknown>
    expect(latest).toMatchObject({
      Subject: 'Third',
      To: [{ Name: '', Address: 'ada@example.com' }],
      HTML: '<p>Third body</p>',
      Text: 'Third body',
      Attachments: [],
    })
    const list = (await get('/api/v1/messages')).body as List
    const second = list.messages[1]
    expect(list.unread).toBe(2)
    expect(list.messages[0]?.Read).toBe(true)
    const byId = (await get(`/api/v1/message/${second?.ID}`)).body as Record<string, unknown>
    expect(byId).toMatchObject({ ID: second?.ID, Subject: 'Second' })
    const missing = await fetch(`${emulator.mailUrl}/api/v1/message/nope`)
    expect(missing.status).toBe(404)
  })

  it('deletes the given IDs, or everything', async () => {
    const list = (await get('/api/v1/messages')).body as List
    const first = list.messages[2]?.ID
    const some = await fetch(`${emulator.mailUrl}/api/v1/messages`, {
      method: 'DELETE',
      body: JSON.stringify({ IDs: [first] }),
    })
    expect(some.status).toBe(200)
    expect(await some.text()).toBe('ok')
    const after = (await get('/api/v1/messages')).body as List
    expect(after.messages.map((m) => m.Subject)).toEqual(['Third', 'Second'])

    const all = await fetch(`${emulator.mailUrl}/api/v1/messages`, { method: 'DELETE' })
    expect(all.status).toBe(200)
    expect(((await get('/api/v1/messages')).body as List).total).toBe(0)
    expect((await fetch(`${emulator.mailUrl}/api/v1/message/latest`)).status).toBe(404)
  })
})
