// The mails Auth sends, written like the default templates of the GoTrue that the Supabase CLI
// bundles (v2.189; SUPABASE-PROTOCOL-2 §3.3): the subject, a link to `/auth/v1/verify` carrying
// the token hash, and the 6-digit code, so a test can sign in by either. Newer GoTrue defaults
// drop the code; the emulator keeps it on purpose.
import type { Mailbox, MailAddress } from './mailbox.js'

/** Which mail: a magic link (`magiclink`) or a sign-up confirmation (`signup`). */
export type AuthMailType = 'magiclink' | 'signup'

/** What one mail needs. */
export interface AuthMail {
  type: AuthMailType
  /** Recipient, lower-cased. */
  email: string
  /** The 6-digit code. */
  otp: string
  /** `otpTokenHash(email, otp)`, carried by the link. */
  tokenHash: string
  /** Where `/verify` sends the browser afterwards. */
  redirectTo: string
}

/** Sends Auth's mails into a {@link Mailbox}. */
export interface AuthMailer {
  send(mail: AuthMail): void
}

/** Options of {@link createAuthMailer}. */
export interface AuthMailerOptions {
  mailbox: Mailbox
  /** The API's external URL (`http://127.0.0.1:54321`); links point at `<apiUrl>/auth/v1/verify`. */
  apiUrl: string
  /** Sender. Default `Admin <admin@email.com>`, the CLI's `[auth.email.smtp]` defaults. */
  from?: MailAddress
}

const TEMPLATES: Record<
  AuthMailType,
  { subject: string; heading: string; lead: string; link: string }
> = {
  magiclink: {
    subject: 'Your Magic Link',
    heading: 'Magic Link',
    lead: 'Follow this link to login:',
    link: 'Log In',
  },
  signup: {
    subject: 'Confirm Your Email',
    heading: 'Confirm your email',
    lead: 'Follow this link to confirm your email:',
    link: 'Confirm your email address',
  },
}

/** Creates the mailer. */
export function createAuthMailer(options: AuthMailerOptions): AuthMailer {
  const from = options.from ?? { Name: 'Admin', Address: 'admin@email.com' }
  return {
    send(mail) {
      const template = TEMPLATES[mail.type]
      const link = confirmationUrl(options.apiUrl, mail)
      const html =
        `<h2>${template.heading}</h2>\n` +
        `<p>${template.lead}</p>\n` +
        `<p><a href="${escapeHtml(link)}">${template.link}</a></p>\n` +
        `<p>Alternatively, enter the code: ${mail.otp}</p>\n`
      const text =
        `${template.heading}\n\n${template.lead}\n${link}\n\n` +
        `Alternatively, enter the code: ${mail.otp}\n`
      options.mailbox.deliver({
        from,
        to: [{ Name: '', Address: mail.email }],
        subject: template.subject,
        html,
        text,
      })
    },
  }
}

/** GoTrue's `{{ .ConfirmationURL }}`: `<api>/auth/v1/verify?token=<hash>&type=…&redirect_to=…`. */
function confirmationUrl(apiUrl: string, mail: AuthMail): string {
  const url = new URL('/auth/v1/verify', apiUrl)
  url.searchParams.set('token', mail.tokenHash)
  url.searchParams.set('type', mail.type)
  url.searchParams.set('redirect_to', mail.redirectTo)
  return url.toString()
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
}
