import { describe, expect, it } from 'vitest'
import { createSupabaseServer } from './create-supabase-server.js'
import {
  checkSupabaseConfig,
  isSupabaseConfigError,
  SupabaseConfigError,
} from './supabase-config-error.js'

// The Supabase CLI's well-known local keys (public test values).
const ANON =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'
const SERVICE_ROLE =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU'

function codeOf(url: unknown, key: unknown): string | undefined {
  try {
    checkSupabaseConfig(url, key)
    return undefined
  } catch (error) {
    expect(isSupabaseConfigError(error)).toBe(true)
    return (error as SupabaseConfigError).code
  }
}

describe('checkSupabaseConfig', () => {
  it('accepts the legacy anon key and a publishable key, and trims a trailing slash', () => {
    expect(checkSupabaseConfig('http://127.0.0.1:54321/', ANON)).toBe('http://127.0.0.1:54321')
    expect(checkSupabaseConfig('https://abc.supabase.co', 'sb_publishable_xyz')).toBe(
      'https://abc.supabase.co',
    )
  })

  it('names what is wrong with a typed error', () => {
    expect(codeOf(undefined, ANON)).toBe('invalid-url')
    expect(codeOf('', ANON)).toBe('invalid-url')
    expect(codeOf('not a url', ANON)).toBe('invalid-url')
    expect(codeOf('ftp://example.com', ANON)).toBe('invalid-url')
    expect(codeOf('http://127.0.0.1:54321', undefined)).toBe('missing-key')
    expect(codeOf('http://127.0.0.1:54321', '  ')).toBe('missing-key')
    expect(codeOf('http://127.0.0.1:54321', 'hello')).toBe('invalid-key')
    expect(codeOf('http://127.0.0.1:54321', 'a.b.c')).toBe('invalid-key')
    expect(codeOf('http://127.0.0.1:54321', 'sb_secret_abc')).toBe('secret-key')
    expect(codeOf('http://127.0.0.1:54321', SERVICE_ROLE)).toBe('secret-key')
  })

  it('says which setting to fix', () => {
    expect(() => checkSupabaseConfig('x', ANON)).toThrow(
      expect.objectContaining({ name: 'SupabaseConfigError', field: 'url' }),
    )
    expect(() => checkSupabaseConfig('http://a.b', '')).toThrow(
      expect.objectContaining({ name: 'SupabaseConfigError', field: 'key' }),
    )
  })

  it('is what createSupabaseServer throws, before any request', () => {
    expect(() => createSupabaseServer({ url: 'localhost:54321', key: ANON })).toThrow(
      expect.objectContaining({ name: 'SupabaseConfigError', code: 'invalid-url' }),
    )
  })

  it('recognises an error rebuilt after crossing a thread by name and code', () => {
    const rebuilt = Object.assign(new Error('x'), {
      name: 'SupabaseConfigError',
      code: 'invalid-url',
    })
    expect(isSupabaseConfigError(rebuilt)).toBe(true)
    expect(isSupabaseConfigError(new Error('x'))).toBe(false)
  })
})
