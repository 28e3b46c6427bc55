// `[db.seed] sql_paths` as the Supabase CLI reads it: paths relative to the `supabase/` folder,
// each either a file or a glob (`*`, `?`, `[...]` within one path segment, like Go's
// filepath.Glob); matches of one pattern in name order, patterns in the order written, each file
// once.
import { readdir, stat } from 'node:fs/promises'
import { join, parse, resolve, sep } from 'node:path'

/** The files the seed patterns name, and the patterns that matched nothing. */
export interface ResolvedSeedPaths {
  files: string[]
  unmatched: string[]
}

/** Resolves `patterns` (relative to `supabaseDir`) to existing files; see the file comment. */
export async function resolveSeedPaths(
  supabaseDir: string,
  patterns: readonly string[],
): Promise<ResolvedSeedPaths> {
  const files: string[] = []
  const unmatched: string[] = []
  for (const pattern of patterns) {
    const found = await expand(resolve(supabaseDir, pattern))
    const fresh = found.filter((file) => !files.includes(file))
    if (found.length === 0) unmatched.push(pattern)
    files.push(...fresh)
  }
  return { files, unmatched }
}

async function expand(path: string): Promise<string[]> {
  if (!hasGlob(path)) return (await isFile(path)) ? [path] : []
  const { root } = parse(path)
  let matches = [root]
  for (const segment of path.slice(root.length).split(sep)) {
    const next: string[] = []
    for (const base of matches) {
      if (!hasGlob(segment)) {
        next.push(join(base, segment))
        continue
      }
      const pattern = globSegment(segment)
      // An unreadable folder matches nothing; the caller reports patterns that matched nothing.
      const names = await readdir(base).catch((): string[] => [])
      for (const name of names.sort()) if (pattern.test(name)) next.push(join(base, name))
    }
    matches = next
  }
  const files = await Promise.all(matches.map(async (m) => ((await isFile(m)) ? m : undefined)))
  return files.filter((file): file is string => file !== undefined)
}

function hasGlob(text: string): boolean {
  return /[*?[]/.test(text)
}

/** One glob segment as an anchored RegExp (`*` and `?` never match `/`; dotfiles too, as in Go). */
function globSegment(segment: string): RegExp {
  let source = ''
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] ?? ''
    if (ch === '*') source += '[^/]*'
    else if (ch === '?') source += '[^/]'
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 1)
      if (end < 0) source += '\\['
      else {
        const body = segment.slice(i + 1, end).replace(/^\^/, '!')
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`
        i = end
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false // Missing or unreadable: not a seed file; the caller reports unmatched patterns.
  }
}
