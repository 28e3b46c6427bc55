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
    expect(project.ignored).toEqual([{ name: 'snippets/', reason: 'not used by the emulator' }])
    expect(project.functions).toEqual(['hello'])
    expect(describeProject(project)).toBe(
      `${join(app, 'supabase')}/: 2 migrations, seed.sql, 1 function (hello); not served: ` +
        'snippets/ (not used by the emulator)',
    )
  })

  it('finds Edge Functions and reads their [functions.<name>] settings', async () => {
    await put('supabase/functions/hello/index.ts')
    await put('supabase/functions/off/index.ts')
    await put('supabase/functions/_shared/util.ts')
    await put('supabase/functions/no-index/main.ts')
    await put('supabase/functions/.env', 'A=1')
    await put(
      'supabase/config.toml',
      '[functions.hello]\nverify_jwt = false\nimport_map = "./functions/hello/map.json"\n' +
        '[functions.off]\nenabled = false\n' +
        '[functions.custom]\nentrypoint = "./functions/no-index/main.ts"\nstatic_files = []\n',
    )
    const project = await discoverProject(app)
    expect(project.functionsDir).toBe(join(app, 'supabase', 'functions'))
    expect(project.functions).toEqual(['custom', 'hello'])
    expect(project.functionsConfig).toEqual({
      hello: { verifyJwt: false, importMap: join(app, 'supabase/functions/hello/map.json') },
      off: { enabled: false },
      custom: { entrypoint: join(app, 'supabase/functions/no-index/main.ts') },
    })
    expect(describeProject(project)).toContain(
      'config.toml (read functions.hello.verify_jwt, functions.hello.import_map, ' +
        'functions.off.enabled, functions.custom.entrypoint), 0 migrations, ' +
        '2 functions (custom, hello)',
    )
    await put('supabase/config.toml', '[functions.hello]\nverify_jwt = "no"\n')
    await expect(discoverProject(app)).rejects.toThrow(
      '[functions.hello] verify_jwt must be true or false',
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
