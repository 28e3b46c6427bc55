// Merging y-protocols awareness updates, so a throttled lane sends one awareness update per
// window instead of every intermediate state. The layout is y-protocols' `encodeAwarenessUpdate`:
// varUint count, then per client varUint clientID, varUint clock, varString state (JSON).
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

interface AwarenessEntry {
  clock: number
  state: string
}

function readAwarenessUpdate(update: Uint8Array): Map<number, AwarenessEntry> | null {
  try {
    const decoder = decoding.createDecoder(update)
    const entries = new Map<number, AwarenessEntry>()
    const count = decoding.readVarUint(decoder)
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      const state = decoding.readVarString(decoder)
      entries.set(clientId, { clock, state })
    }
    return decoding.hasContent(decoder) ? null : entries
  } catch {
    // lib0 throws on truncated input: not an awareness update we can merge.
    return null
  }
}

/**
 * Merges awareness updates into one that carries, per client, the entry with the highest clock
 * (the later one on a tie, as applying them in order would). Returns the updates unchanged when
 * fewer than two were given or one of them does not parse — the receiver validates and applies
 * them one by one then, so nothing is lost.
 */
export function mergeAwarenessUpdates(updates: readonly Uint8Array[]): Uint8Array[] {
  if (updates.length < 2) return [...updates]
  const merged = new Map<number, AwarenessEntry>()
  for (const update of updates) {
    const entries = readAwarenessUpdate(update)
    if (entries === null) return [...updates]
    for (const [clientId, entry] of entries) {
      const current = merged.get(clientId)
      if (current === undefined || entry.clock >= current.clock) merged.set(clientId, entry)
    }
  }
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, merged.size)
  for (const [clientId, entry] of merged) {
    encoding.writeVarUint(encoder, clientId)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, entry.state)
  }
  return [encoding.toUint8Array(encoder)]
}
