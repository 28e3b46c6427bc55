// The subset of Mailpit's search syntax a test needs to find "the mail sent to this address"
// (https://mailpit.axllent.org/docs/usage/search-filters/): space-separated terms, all of which
// must match; `"quoted phrases"`; `to:`, `from:`, `subject:`, `message-id:` and `is:read|unread`
// filters; a leading `-` or `!` negates a term. Matching is a case-insensitive substring, as
// Mailpit's SQL `LIKE` is. Other Mailpit filters (`before:`, `tag:`, …) are plain words here.
import type { MailAddress, MailMessage } from './mailbox.js'

const TERM = /([-!])?(?:([a-z-]+):)?(?:"([^"]*)"?|(\S+))/gi
const FIELDS = new Set(['to', 'from', 'subject', 'message-id', 'is'])

/** Whether `message` matches every term of `query`; an empty query matches everything. */
export function matchesMailSearch(message: MailMessage, query: string): boolean {
  for (const match of query.matchAll(TERM)) {
    const [whole, negation, rawField, quoted, bare] = match
    if (whole.trim() === '') continue
    let field = rawField?.toLowerCase()
    let value = (quoted ?? bare ?? '').toLowerCase()
    if (field !== undefined && !FIELDS.has(field)) {
      // `http://…` or an unsupported filter: search for the text as written.
      value = `${field}:${value}`
      field = undefined
    }
    if (value === '') continue
    if (matchesTerm(message, field, value) === (negation !== undefined)) return false
  }
  return true
}

function matchesTerm(message: MailMessage, field: string | undefined, value: string): boolean {
  const has = (text: string) => text.toLowerCase().includes(value)
  switch (field) {
    case 'to':
      return message.to.some((address) => has(formatAddress(address)))
    case 'from':
      return has(formatAddress(message.from))
    case 'subject':
      return has(message.subject)
    case 'message-id':
      return has(message.messageId)
    case 'is':
      return value === 'read' ? message.read : value === 'unread' ? !message.read : false
    default:
      return (
        has(message.subject) ||
        has(message.text) ||
        has(formatAddress(message.from)) ||
        message.to.some((address) => has(formatAddress(address)))
      )
  }
}

function formatAddress(address: MailAddress): string {
  return address.Name ? `${address.Name} <${address.Address}>` : address.Address
}
