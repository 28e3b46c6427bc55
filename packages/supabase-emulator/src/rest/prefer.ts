// The `Prefer` header. supabase-js joins several preferences into one header with ", ", and a
// client may also repeat the header, so both forms are parsed.
import type { IncomingMessage } from 'node:http'

/** The preferences the emulator honours. */
export interface Preferences {
  return?: 'representation' | 'minimal' | 'headers-only'
  resolution?: 'merge-duplicates' | 'ignore-duplicates'
  count?: 'exact' | 'planned' | 'estimated'
  missing?: 'default' | 'null'
}

/** Reads the `Prefer` header(s); unknown preferences are ignored, as PostgREST does by default. */
export function parsePrefer(req: IncomingMessage): Preferences {
  const raw = req.headers.prefer
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '')
  const preferences: Preferences = {}
  for (const part of text.split(',')) {
    const [name, value] = part
      .trim()
      .split('=')
      .map((s) => s.trim())
    if (
      name === 'return' &&
      (value === 'representation' || value === 'minimal' || value === 'headers-only')
    ) {
      preferences.return = value
    } else if (
      name === 'resolution' &&
      (value === 'merge-duplicates' || value === 'ignore-duplicates')
    ) {
      preferences.resolution = value
    } else if (
      name === 'count' &&
      (value === 'exact' || value === 'planned' || value === 'estimated')
    ) {
      preferences.count = value
    } else if (name === 'missing' && (value === 'default' || value === 'null')) {
      preferences.missing = value
    }
  }
  return preferences
}
