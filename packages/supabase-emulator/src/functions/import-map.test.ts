// Import maps as Deno applies them (exact keys, longest `/` prefix, scopes, relative targets),
// deno.jsonc comments, the lookup order of the Supabase CLI, and what `npm:`/`.env` become.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { npmPackage } from './bundle-function.js'
import { applyImportMap, findImportMap, readImportMap, stripJsonComments } from './import-map.js'
import { parseDotenv } from './parse-dotenv.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-import-map-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function put(path: string, text: string): Promise<string> {
  await mkdir(join(dir, path, '..'), { recursive: true })
  await writeFile(join(dir, path), text)
  return join(dir, path)
}

describe('import maps', () => {
  it('maps exact keys, the longest prefix, scopes and relative targets', async () => {
    const file = await put(
      'functions/fn/deno.json',
      JSON.stringify({
        imports: {
          yjs: 'npm:yjs@13',
          'lib/': './lib/',
          'lib/deep/': 'npm:deep-lib@1/',
          '@supabase/supabase-js': 'npm:@supabase/supabase-js@2',
        },
        scopes: { './vendor/': { yjs: './vendor/yjs.ts' } },
      }),
    )
    const map = await readImportMap(file)
    const importer = join(dir, 'functions/fn/index.ts')
    expect(applyImportMap(map, 'yjs', importer)).toBe('npm:yjs@13')
    expect(applyImportMap(map, 'lib/a.ts', importer)).toBe(join(dir, 'functions/fn/lib/a.ts'))
    expect(applyImportMap(map, 'lib/deep/x', importer)).toBe('npm:deep-lib@1/x')
    expect(applyImportMap(map, 'other', importer)).toBeUndefined()
    expect(applyImportMap(map, 'yjs', join(dir, 'functions/fn/vendor/a.ts'))).toBe(
      join(dir, 'functions/fn/vendor/yjs.ts'),
    )
  })

  it('reads deno.jsonc (comments, trailing commas) and follows "importMap"', async () => {
    expect(JSON.parse(stripJsonComments('{ "a": "x//y", /* c */ "b": [1, 2,], // d\n }'))).toEqual({
      a: 'x//y',
      b: [1, 2],
    })
    await put('functions/fn/import_map.json', '{ "imports": { "a": "npm:a" } }')
    const deno = await put('functions/fn/deno.jsonc', '{ // x\n "importMap": "./import_map.json" }')
    const map = await readImportMap(deno)
    expect(map.imports).toEqual({ a: 'npm:a' })
    await put('bad.json', '{ "imports": { "a": 1 } }')
    await expect(readImportMap(join(dir, 'bad.json'))).rejects.toMatchObject({
      code: 'import_map_invalid',
    })
  })

  it('is found next to the function first, then in the functions folder', async () => {
    const functions = join(dir, 'functions')
    const fn = join(functions, 'fn')
    await mkdir(fn, { recursive: true })
    expect(await findImportMap(fn, functions)).toBeUndefined()
    const shared = await put('functions/deno.json', '{}')
    expect(await findImportMap(fn, functions)).toBe(shared)
    const own = await put('functions/fn/import_map.json', '{}')
    expect(await findImportMap(fn, functions)).toBe(own)
    expect(await findImportMap(fn, functions, '/configured.json')).toBe('/configured.json')
  })
})

describe('specifiers and secrets', () => {
  it('turns npm: specifiers into package names with subpaths', () => {
    expect(npmPackage('npm:@supabase/supabase-js@2')).toBe('@supabase/supabase-js')
    expect(npmPackage('npm:@supabase/supabase-js@2.1.0/cors')).toBe('@supabase/supabase-js/cors')
    expect(npmPackage('npm:yjs')).toBe('yjs')
    expect(npmPackage('npm:yjs@^13.6/dist/x.mjs')).toBe('yjs/dist/x.mjs')
    expect(npmPackage('npm:')).toBeUndefined()
  })

  it('parses .env files the way the CLI does', () => {
    expect(
      parseDotenv(
        '# comment\nA=1\nexport B = two words \nC="line\\nbreak" # note\nD=\'single #\'\n' +
          'E=`back`\nbad line\nF=\n',
      ),
    ).toEqual({ A: '1', B: 'two words', C: 'line\nbreak', D: 'single #', E: 'back', F: '' })
  })
})
