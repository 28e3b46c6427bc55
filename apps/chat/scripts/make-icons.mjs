// Draws the app's PNG icons (a speech bubble on the brand colour) with no image library: pixels
// are computed from signed distances, supersampled for smooth edges, and written as PNG through
// zlib. Run once with `node scripts/make-icons.mjs`; the output is committed under public/icons.
import { mkdirSync, writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const BRAND = [51, 87, 214]
const WHITE = [255, 255, 255]

/** CRC-32 of a PNG chunk (type + data). */
function crc32(bytes) {
  let crc = ~0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return ~crc >>> 0
}

function chunk(type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

function png(size, pixel) {
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y)
      rows.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Signed distance to a rounded box centred at (cx, cy) with half sizes (hx, hy) and radius r. */
function roundedBox(x, y, cx, cy, hx, hy, r) {
  const qx = Math.abs(x - cx) - hx + r
  const qy = Math.abs(y - cy) - hy + r
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}

/** Inside the speech bubble (unit square coordinates, scaled by `s` around the centre). */
function bubble(x, y, s) {
  const u = 0.5 + (x - 0.5) / s
  const v = 0.5 + (y - 0.5) / s
  if (roundedBox(u, v, 0.5, 0.45, 0.3, 0.22, 0.12) <= 0) return true
  // The tail: a triangle below the bubble's lower left.
  const inTail = v >= 0.6 && v <= 0.8 && u >= 0.3 && u <= 0.46 && u - 0.3 <= (0.8 - v) * 0.8
  return inTail
}

function dot(x, y, s) {
  const u = 0.5 + (x - 0.5) / s
  const v = 0.5 + (y - 0.5) / s
  return [0.38, 0.5, 0.62].some((cx) => Math.hypot(u - cx, v - 0.45) <= 0.042)
}

/** An icon: `maskable` keeps the drawing inside the 80% safe zone and fills the whole square. */
function icon(size, maskable) {
  const scale = maskable ? 0.8 : 1
  const samples = 4
  return png(size, (px, py) => {
    let bg = 0
    let fg = 0
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < samples; j++) {
        const x = (px + (i + 0.5) / samples) / size
        const y = (py + (j + 0.5) / samples) / size
        const inBg = maskable || roundedBox(x, y, 0.5, 0.5, 0.5, 0.5, 0.22) <= 0
        if (!inBg) continue
        bg++
        if (bubble(x, y, scale) && !dot(x, y, scale)) fg++
      }
    }
    const n = samples * samples
    if (bg === 0) return [0, 0, 0, 0]
    // Dots are drawn in the brand colour, so only the white samples lighten the pixel.
    const mix = (c) => Math.round((BRAND[c] * (bg - fg) + WHITE[c] * fg) / bg)
    return [mix(0), mix(1), mix(2), Math.round((255 * bg) / n)]
  })
}

const out = new URL('../public/icons/', import.meta.url)
mkdirSync(out, { recursive: true })
writeFileSync(new URL('icon-192.png', out), icon(192, false))
writeFileSync(new URL('icon-512.png', out), icon(512, false))
writeFileSync(new URL('icon-maskable-512.png', out), icon(512, true))
writeFileSync(new URL('apple-touch-icon.png', out), icon(180, true))
