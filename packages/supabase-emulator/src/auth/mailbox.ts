// The emulator's mail catcher: every mail Auth sends lands here instead of on an SMTP server, as
// `supabase start` sends GoTrue's mail to Mailpit (SUPABASE-PROTOCOL-2 §3.7). Kept in memory only:
// mail is test evidence, not data, and a restart starts with an empty box.
import { randomBytes } from 'node:crypto'
import { matchesMailSearch } from './mail-search.js'

/** A mailbox address as Mailpit reports it. */
export interface MailAddress {
  Name: string
  Address: string
}

/** What a sender hands to {@link Mailbox.deliver}. */
export interface OutgoingMail {
  from: MailAddress
  to: MailAddress[]
  subject: string
  /** The HTML body (GoTrue mail is HTML-only). */
  html: string
  /** A plain-text rendering of the same content. */
  text: string
}

/** A stored mail. */
export interface MailMessage extends OutgoingMail {
  /** Mailpit-style opaque id (22 URL-safe characters). */
  id: string
  /** The `Message-ID` header value, without angle brackets. */
  messageId: string
  /** When it was received. */
  created: Date
  /** Flips to `true` once the message is fetched in full, as in Mailpit. */
  read: boolean
  /** Approximate size in bytes (headers are not rendered). */
  size: number
}

/** Options of {@link Mailbox}. */
export interface MailboxOptions {
  /** Messages kept; the oldest are dropped beyond it. Default `500` (Mailpit's default). */
  maxMessages?: number
}

/**
 * An in-memory mailbox, newest message first. Synchronous and single-threaded: a delivery is
 * visible to the next read, so a test can read the mail as soon as the Auth call that sent it
 * has answered.
 */
export class Mailbox {
  private messages: MailMessage[] = []
  private readonly maxMessages: number

  constructor(options: MailboxOptions = {}) {
    this.maxMessages = options.maxMessages ?? 500
  }

  /** Stores a mail and returns it. */
  deliver(mail: OutgoingMail): MailMessage {
    const id = randomBytes(16).toString('base64url')
    const message: MailMessage = {
      ...mail,
      id,
      messageId: `${id}@parley-emulator`,
      created: new Date(),
      read: false,
      size: Buffer.byteLength(mail.html) + Buffer.byteLength(mail.subject),
    }
    this.messages.unshift(message)
    if (this.messages.length > this.maxMessages) this.messages.length = this.maxMessages
    return message
  }

  /** Every message, newest first. */
  list(): readonly MailMessage[] {
    return this.messages
  }

  /** Messages matching a Mailpit search query (`to:"a@b.co" subject:Magic`), newest first. */
  search(query: string): MailMessage[] {
    return this.messages.filter((message) => matchesMailSearch(message, query))
  }

  /** The message with this id, or the newest for `'latest'`; undefined when there is none. */
  get(id: string): MailMessage | undefined {
    return id === 'latest' ? this.messages[0] : this.messages.find((m) => m.id === id)
  }

  /** Deletes the given messages, or all of them when `ids` is absent or empty (as Mailpit). */
  delete(ids?: readonly string[]): void {
    if (!ids || ids.length === 0) {
      this.messages = []
      return
    }
    const doomed = new Set(ids)
    this.messages = this.messages.filter((m) => !doomed.has(m.id))
  }
}
