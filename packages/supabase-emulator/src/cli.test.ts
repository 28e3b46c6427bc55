// The CLI: argument handling, the status block, a clean stop.
import { afterEach, describe, expect, it } from 'vitest'
import { runCli, type CliIo } from './cli.js'

function capture(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = []
  const err_: string[] = []
  return { out_, err_, out: (t) => out_.push(t), err: (t) => err_.push(t) }
}

afterEach(() => {
  process.exitCode = undefined
})

describe('parley-supabase CLI', () => {
  it('starts, prints URLs and keys like `supabase status`, and stops', async () => {
    const io = capture()
    const session = await runCli(['start', '--port', '0', '--no-seed'], io)
    expect(session).toBeDefined()
    try {
      const text = io.out_.join('')
      expect(text).toContain(`API URL: ${session?.emulator.url}`)
      expect(text).toContain(`anon key: ${session?.emulator.anonKey}`)
      expect(text).toContain(`service_role key: ${session?.emulator.serviceRoleKey}`)
      expect(text).toContain(`JWT secret: ${session?.emulator.jwtSecret}`)
      expect(text).toContain('Realtime URL: ws://')
    } finally {
      await session?.stop()
    }
  })

  it('prints help for --help and exits with 0', async () => {
    const io = capture()
    expect(await runCli(['--help'], io)).toBeUndefined()
    expect(io.out_.join('')).toContain('Usage: parley-supabase start')
    expect(process.exitCode).toBeUndefined()
  })

  it.each([
    [['stop']],
    [['start', '--port', 'abc']],
    [['start', '--bogus']],
    [['start', '--data', 'x', '--database-url', 'postgres://x']],
    [['start', '--jwt-expiry', '-5']],
  ])('refuses %j with usage and exit code 2', async (args) => {
    const io = capture()
    expect(await runCli(args, io)).toBeUndefined()
    expect(io.err_.join('')).not.toBe('')
    expect(process.exitCode).toBe(2)
  })
})
