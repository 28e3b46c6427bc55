// Password hashing for email users. GoTrue stores bcrypt; Node ships scrypt, which is as good for
// a local emulator and needs no dependency. Only this emulator reads these hashes.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const PREFIX = '$scrypt$'
const KEY_LENGTH = 32

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

/** Hashes a password as `$scrypt$<salt>$<key>` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt)
  return `${PREFIX}${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** Checks a password against a hash made by {@link hashPassword}; other formats never match. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!hash.startsWith(PREFIX)) return false
  const [salt, key] = hash.slice(PREFIX.length).split('$')
  if (!salt || !key) return false
  const expected = Buffer.from(key, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'))
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
