// The import map of an Edge Function, found and applied as the Supabase CLI and Deno do: a
// `deno.json`'s `imports`/`scopes` (or the file its `importMap` names), or an `import_map.json`.
// Only the mapping lives here; what a mapped `npm:`/`jsr:` specifier becomes is
// resolve-specifier.ts' business.
import { readFile, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { FunctionBootError } from './function-boot-error.js'

/** A parsed import map; keys and values as written, `base` the URL values are relative to. */
export interface ImportMap {
  /** The file it came from. */
  file: string
  imports: Readonly<Record<string, string>>
  scopes: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** `file:` URL of the map's folder (with a trailing slash). */
  base: string
}

/**
 * The import map file of a function, first match wins (SUPABASE-PROTOCOL-2.md §2.4): the
 * configured one; `<function>/deno.json`, `deno.jsonc`, `import_map.json`; then the shared
 * `<functions>/deno.json`, `deno.jsonc`, `import_map.json` (the global files the CLI accepts for
 * local development). `undefined` when there is none.
 */
export async function findImportMap(
  functionDir: string,
  functionsDir: string,
  configured?: string,
): Promise<string | undefined> {
  if (configured !== undefined) return configured
  for (const dir of [functionDir, functionsDir]) {
    for (const name of ['deno.json', 'deno.jsonc', 'import_map.json']) {
      const file = join(dir, name)
      if ((await stat(file).catch(() => undefined))?.isFile()) return file
    }
  }
  return undefined
}

/**
 * Reads an import map or a `deno.json(c)` (comments and trailing commas allowed). A `deno.json`
 * whose `importMap` names another file yields that file's map.
 *
 * @throws {@link FunctionBootError} `import_map_invalid` when the file is missing or malformed.
 */
export async function readImportMap(
  file: string,
  seen: readonly string[] = [],
): Promise<ImportMap> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new FunctionBootError('import_map_invalid', `cannot read import map ${file}`, {
      cause: error,
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(stripJsonComments(text))
  } catch (error) {
    throw new FunctionBootError('import_map_invalid', `${file} is not valid JSON(C)`, {
      cause: error,
    })
  }
  if (!isRecord(parsed)) {
    throw new FunctionBootError('import_map_invalid', `${file} must hold a JSON object`)
  }
  if (typeof parsed.importMap === 'string' && parsed.imports === undefined) {
    const next = resolve(dirname(file), parsed.importMap)
    if (seen.includes(next)) {
      throw new FunctionBootError('import_map_invalid', `${file}: importMap points back at itself`)
    }
    return readImportMap(next, [...seen, file])
  }
  const imports = parsed.imports ?? {}
  const scopes = parsed.scopes ?? {}
  if (!isStringRecord(imports)) {
    throw new FunctionBootError(
      'import_map_invalid',
      `${file}: "imports" must map strings to strings`,
    )
  }
  if (!isRecord(scopes) || !Object.values(scopes).every(isStringRecord)) {
    throw new FunctionBootError(
      'import_map_invalid',
      `${file}: "scopes" must map to objects of strings`,
    )
  }
  return {
    file,
    imports,
    scopes: scopes as Record<string, Record<string, string>>,
    base: pathToFileURL(`${dirname(file)}/`).href,
  }
}

/**
 * Applies `map` to `specifier` imported from `importer` (an absolute path), per the WHATWG
 * import-maps rules Deno follows: the most specific matching scope first, then `imports`; an
 * exact key, else the longest key ending in `/` that prefixes the specifier. Returns the mapped
 * specifier — a path for relative and `file:` targets, else the target as written (`npm:…`) — or
 * `undefined` when nothing matches.
 */
export function applyImportMap(
  map: ImportMap,
  specifier: string,
  importer: string,
): string | undefined {
  const importerUrl = pathToFileURL(importer).href
  const scopes = Object.keys(map.scopes)
    .map((scope) => ({ scope, url: new URL(scope, map.base).href }))
    .filter(({ url }) => (url.endsWith('/') ? importerUrl.startsWith(url) : importerUrl === url))
    .sort((a, b) => b.url.length - a.url.length)
  for (const { scope } of scopes) {
    const hit = lookup(map.scopes[scope] ?? {}, specifier)
    if (hit !== undefined) return toSpecifier(hit, map.base)
  }
  const hit = lookup(map.imports, specifier)
  return hit === undefined ? undefined : toSpecifier(hit, map.base)
}

function lookup(imports: Readonly<Record<string, string>>, specifier: string): string | undefined {
  const exact = imports[specifier]
  if (exact !== undefined) return exact
  let best: string | undefined
  for (const key of Object.keys(imports)) {
    if (key.endsWith('/') && specifier.startsWith(key) && key.length > (best?.length ?? 0)) {
      best = key
    }
  }
  return best === undefined ? undefined : `${imports[best]}${specifier.slice(best.length)}`
}

/** A relative or `file:` target becomes an absolute path; anything else stays as written. */
function toSpecifier(target: string, base: string): string {
  if (/^\.{0,2}\//.test(target)) return fileURLToPath(new URL(target, base))
  if (target.startsWith('file:')) return fileURLToPath(target)
  return target
}

/** What follows a trailing comma: blanks and comments, then a closing bracket. */
const TRAILING = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*[}\]]/

/** Removes `//` and `/* *\/` comments and trailing commas outside strings (deno.jsonc). */
export function stripJsonComments(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const char = text[i]
    if (char === '"') {
      const start = i
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      out += text.slice(start, ++i)
    } else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 2
    } else if (char === ',' && TRAILING.test(text.slice(i + 1))) {
      i++ // a trailing comma
    } else {
      out += char
      i++
    }
  }
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string')
}
