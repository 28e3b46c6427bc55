// The ticks under one's own messages, WhatsApp style: a clock while sending, one tick when the
// server has it, two when every other member's device has it, two blue ones when read.
import type { MessageItem } from '@parley/core'

const LABELS: Record<MessageItem['status'], string> = {
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
}

/** The status icon with its accessible name. */
export function DeliveryTicks({ status }: { status: MessageItem['status'] }) {
  return (
    <span
      className={`ticks ticks-${status}`}
      role="img"
      aria-label={LABELS[status]}
      title={LABELS[status]}
    >
      {status === 'sending' ? (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
        </svg>
      ) : status === 'failed' ? (
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M8 4v5M8 11v1.2" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      ) : (
        <svg viewBox="0 0 20 16" width="18" height="14" aria-hidden="true">
          <path d="M1 8.5L4.5 12L11.5 4" fill="none" stroke="currentColor" strokeWidth="1.7" />
          {status !== 'sent' && (
            <path d="M7 11L8 12L15 4" fill="none" stroke="currentColor" strokeWidth="1.7" />
          )}
        </svg>
      )}
    </span>
  )
}
