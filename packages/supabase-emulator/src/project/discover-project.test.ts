// Reading an app's supabase/ folder: what is applied, in which order, and what is not served.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeProject, discoverProject } from './discover-project.js'

let app: string
beforeEach(async () => {
  app = await mkdtemp(join(tmpdir(), 'parley-discover-'))
})
afterEach(async () => {
  await rm(app, { recursive: true, force: true })
})

async function put(path: string, text = '') {
  await mkdir(join(app, path, '..'), { recursive: true })
  await writeFile(join(app, path), text)
}

describe('discoverProject', () => {
  it('finds nothing in a folder without supabase/, and says so', async () => {
    const project = await discoverProject(app)
    expect(project).toMatchObject({
      exists: false,
      configFile: undefined,
      config: {},
      migrations: [],
      seedFiles: [],
      ignored: [],
    })
    expect(describeProject(project)).toBe(`${join(app, 'supabase')}/: not found`)
  })

  it('lists migrations in version order, the default seed, and what is not served', async () => {
    await put('supabase/migrations/20260102000000_second.sql')
    await put('supabase/migrations/20260101000000_first.sql')
    await put('supabase/migrations/notes.md')
    await put('supabase/seed.sql')
    await put('supabase/functions/hello/index.ts')
    await put('supabase/snippets/x.sql')
    await put('supabase/.temp/cli-latest')
    const project = await discoverProject(app)
    expect(project.migrations.map((m) => `${m.version}_${m.name}`)).toEqual([
      '20260101000000_first',
      '20260102000000_second',
    ])
    expect(project.seedFiles).toEqual([join(app, 'supabase/seed.sql')])
    expect(project.ignored).toEqual([
      { name: 'functions/', reason: 'edge functions are not served by this emulator yet' },
      { name: 'snippets/', reason: 'not used by the emulator' },
    ])
    expect(describeProject(project)).toBe(
      `${join(app, 'supabase')}/: 2 migrations, seed.sql; not served: functions/ (edge ` +
        'functions are not served by this emulator yet); snippets/ (not used by the emulator)',
    )
  })

  it('follows [db.seed] sql_paths (globs in order) and names the keys it read', async () => {
    await put(
      'supabase/config.toml',
      '[api]\nport = 54400\n[db.seed]\n' +
        'sql_paths = ["./seeds/b.sql", "./seeds/*.sql", "./none/*.sql", "seed.sql"]\n',
    )
    await put('supabase/seeds/a.sql')
    await put('supabase/seeds/b.sql')
    await put('supabase/seeds/c.txt')
    const project = await discoverProject(app)
    expect(project.seedFiles).toEqual([
      join(app, 'supabase/seeds/b.sql'),
      join(app, 'supabase/seeds/a.sql'),
    ])
    expect(project.unmatchedSeedPaths).toEqual(['./none/*.sql'])
    expect(project.ignored).toEqual([])
    expect(describeProject(project)).toContain(
      'config.toml (read api.port, db.seed.sql_paths), 0 migrations, seeds/b.sql, seeds/a.sql',
    )
  })

  it('runs no seed when [db.seed] enabled = false', async () => {
    await put('supabase/config.toml', '[db.seed]\nenabled = false\n')
    await put('supabase/seed.sql')
    expect((await discoverProject(app)).seedFiles).toEqual([])
  })

  it('refuses a missing app folder and an unreadable config.toml', async () => {
    await expect(discoverProject(join(app, 'nope'))).rejects.toMatchObject({
      code: 'invalid_directory',
    })
    await put('supabase/config.toml', '[api]\nport = "x"\n')
    await expect(discoverProject(app)).rejects.toMatchObject({ code: 'invalid_config' })
  })
})
