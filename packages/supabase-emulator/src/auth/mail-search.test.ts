// The Mailpit search subset: fields, quoting, negation, read state, plain words.
import { describe, expect, it } from 'vitest'
import { Mailbox } from './mailbox.js'
import { matchesMailSearch } from './mail-search.js'

const message = new Mailbox().deliver({
  from: { Name: 'Admin', Address: 'admin@email.com' },
  to: [{ Name: '', Address: 'Ada@Example.com' }],
  subject: 'Your Magic Link',
  html: '<p>Follow this link</p>',
  text: 'Follow this link: http://127.0.0.1:54321/auth/v1/verify?token=abc',
})

describe('matchesMailSearch', () => {
  it.each([
    ['to:"ada@example.com"', true],
    ['to:ada@example.com', true],
    ['to:"grace@example.com"', false],
    ['from:admin@email.com', true],
    ['subject:"Magic Link"', true],
    ['subject:confirm', false],
    ['magic to:ada', true],
    ['magic to:grace', false],
    ['-subject:confirm', true],
    ['!to:ada', false],
    ['is:unread', true],
    ['is:read', false],
    ['http://127.0.0.1:54321/auth', true],
    ['"follow this"', true],
    ['', true],
  ])('%s → %s', (query, expected) => {
    expect(matchesMailSearch(message, query)).toBe(expected)
  })
})
