// Bytes ↔ standard base64, the binary form Parley's RPCs take and return (docs/SCHEMA.md §2).
// Written on `btoa`/`atob` (browsers, workers, Node ≥ 16) rather than Buffer, so the package
// runs unchanged in a Web Worker.

/** Characters per `String.fromCharCode` call: well below engines' argument limits. */
const CHUNK = 0x8000

/** Encodes bytes as standard base64 with padding and no line breaks. Paired with {@link decodeBase64}. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.byteLength; i += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(binary)
}

/**
 * Decodes standard or URL-safe base64 (padding optional). Returns null for anything else, so a
 * caller validating a server answer can report it instead of throwing.
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
  if (standard.length % 4 === 1) return null
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4)
  let binary: string
  try {
    binary = atob(padded)
  } catch {
    // atob throws InvalidCharacterError for malformed input: the answer is "not base64".
    return null
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
