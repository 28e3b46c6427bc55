// One-time passwords for e-mail sign-in, made as GoTrue makes them (SUPABASE-PROTOCOL-2 §3.3): a
// 6-digit code for people, and its hash for links. Only the hash is stored, so a code can be
// checked (hash `email + code` again) and a link can carry it without revealing the code.
import { createHash, randomInt } from 'node:crypto'

/** Digits in a code (`[auth.email] otp_length`; the CLI's local value). */
export const OTP_LENGTH = 6

/** A random code of {@link OTP_LENGTH} digits, leading zeros kept (`"042917"`). */
export function generateOtp(): string {
  let otp = ''
  for (let i = 0; i < OTP_LENGTH; i++) otp += String(randomInt(10))
  return otp
}

/**
 * The `token_hash` of a code: lowercase hex SHA-224 of `email + otp` (56 characters), with the
 * e-mail lower-cased as GoTrue stores it. This is what links carry and what the store keeps.
 */
export function otpTokenHash(email: string, otp: string): string {
  return createHash('sha224')
    .update(email.toLowerCase() + otp)
    .digest('hex')
}
