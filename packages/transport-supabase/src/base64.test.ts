import { describe, expect, it } from 'vitest'
import { decodeBase64, encodeBase64 } from './base64.js'

describe('base64', () => {
  it('round-trips every length around the padding boundaries and large arrays', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 255, 256, 0x8000 + 1, 70_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) % 256)
      const text = encodeBase64(bytes)
      expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
      expect(decodeBase64(text)).toEqual(bytes)
    }
  })

  it('matches the standard alphabet and accepts URL-safe input without padding', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x01])
    expect(encodeBase64(bytes)).toBe('+//+AQ==')
    expect(decodeBase64('-__-AQ')).toEqual(bytes)
  })

  it('returns null for anything that is not base64', () => {
    for (const text of ['\\x0102', 'a', 'ab=c', 'abc===', '@@@@', 'ab cd'])
      expect(decodeBase64(text)).toBeNull()
  })
})
