// Dates and times as the thread shows them.
import { parseHlcStamp, type HlcStamp } from '@parley/core'

/** Milliseconds of a message's stamp (the time it was written on its device). */
export function stampTime(stamp: HlcStamp): number {
  const parsed = parseHlcStamp(stamp)
  return parsed.ok ? parsed.value.ms : 0
}

/** `YYYY-MM-DD` in local time: the key of a day separator. */
export function dayKey(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** "Today", "Yesterday", or a date such as "Mon, 3 March 2025". */
export function dayLabel(ms: number, now = Date.now()): string {
  const key = dayKey(ms)
  if (key === dayKey(now)) return 'Today'
  if (key === dayKey(now - 86_400_000)) return 'Yesterday'
  const date = new Date(ms)
  const sameYear = date.getFullYear() === new Date(now).getFullYear()
  return date.toLocaleDateString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
  })
}

/** `14:05` style time of day. */
export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
}

/** Time for the conversation list: the time today, else a short date. */
export function listTime(ms: number, now = Date.now()): string {
  if (ms <= 0) return ''
  if (dayKey(ms) === dayKey(now)) return timeOfDay(ms)
  return new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short' })
}
