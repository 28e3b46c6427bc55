// A small TOML reader for `supabase/config.toml`. It reads the whole TOML syntax the Supabase CLI
// writes (tables, dotted and quoted keys, all string forms, numbers, booleans, multi-line arrays,
// inline tables), so a real project's file parses; it does not validate everything the spec
// forbids (e.g. redefining a table), and dates and times are kept as their text. It exists
// instead of a dependency because the emulator reads a handful of keys (see project-config.ts).
import { ProjectError } from './project-error.js'

/** A TOML value as read here; dates and times are their source text. */
export type TomlValue = string | number | boolean | readonly TomlValue[] | TomlInlineTable

/** An inline table (`{ a = 1 }`), keyed by dotted key paths like the document. */
export interface TomlInlineTable {
  readonly [key: string]: TomlValue
}

const BARE_KEY = /[A-Za-z0-9_-]+/y
const SCALAR = /[0-9A-Za-z_+\-.:]+/y
const TIME_AFTER_DATE = / \d{2}:[0-9:.Zz+-]+/y
const DECIMAL = /^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d(_?\d)*)?$/
const RADIX: Record<string, number> = { x: 16, o: 8, b: 2 }
const SIMPLE_ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
}

/**
 * Parses a TOML document into a map from dotted key paths to values: `[auth.email]` then
 * `enable_confirmations = false` gives `'auth.email.enable_confirmations' → false`. Keys under
 * `[[array.of.tables]]` land under `'array.of.tables[].key'` (the emulator reads none of them).
 * A quoted key containing a dot cannot be told apart from a dotted one; Supabase's keys have none.
 *
 * @throws {@link ProjectError} `invalid_config`, naming `file` and the line.
 */
export function parseToml(text: string, file = 'config.toml'): Map<string, TomlValue> {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text
  const entries = new Map<string, TomlValue>()
  let pos = 0
  let table: string[] = []

  const fail = (message: string): never => {
    const line = src.slice(0, pos).split('\n').length
    throw new ProjectError('invalid_config', `${file}:${line}: ${message}`, [file])
  }
  const skipSpaces = () => {
    while (src[pos] === ' ' || src[pos] === '\t') pos++
  }
  const skipComment = () => {
    if (src[pos] === '#') while (pos < src.length && src[pos] !== '\n') pos++
  }
  const skipNewline = (): boolean => {
    if (src[pos] === '\n') pos += 1
    else if (src.startsWith('\r\n', pos)) pos += 2
    else return false
    return true
  }
  /** Spaces, comments and line breaks: between statements, and inside arrays. */
  const skipBlank = () => {
    do {
      skipSpaces()
      skipComment()
    } while (skipNewline())
  }
  const endLine = () => {
    skipSpaces()
    skipComment()
    if (pos < src.length && !skipNewline()) fail(`unexpected ${JSON.stringify(src[pos])}`)
  }
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = pos
    const found = pattern.exec(src)?.[0]
    if (found !== undefined) pos += found.length
    return found
  }

  const escape = (multiline: boolean): string => {
    const ch = src[pos] ?? ''
    // A backslash ending a line of a """ string swallows the break and the indentation after it.
    if (multiline && /[ \t\r\n]/.test(ch)) {
      if (match(/[ \t]*\r?\n[ \t\r\n]*/y) === undefined) fail('invalid escape \\ ')
      return ''
    }
    const simple = SIMPLE_ESCAPES[ch]
    if (simple !== undefined) {
      pos++
      return simple
    }
    const digits = ch === 'u' ? 4 : ch === 'U' ? 8 : ch === 'x' ? 2 : 0
    const hex = src.slice(pos + 1, pos + 1 + digits)
    const code = parseInt(hex, 16)
    if (digits === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== digits || code > 0x10ffff)
      fail(`invalid escape \\${ch}`)
    pos += 1 + digits
    return String.fromCodePoint(code)
  }
  const basicString = (): string => {
    const multiline = src.startsWith('"""', pos)
    pos += multiline ? 3 : 1
    if (multiline) skipNewline()
    let out = ''
    for (;;) {
      const ch = src[pos]
      if (ch === undefined) return fail('unterminated string')
      if (multiline && src.startsWith('"""', pos)) {
        // Up to two quotes may end the content right before the closing """.
        let end = pos + 3
        while (src[end] === '"' && end - pos < 5) end++
        out += '"'.repeat(end - pos - 3)
        pos = end
        return out
      }
      if (!multiline && ch === '"') {
        pos++
        return out
      }
      if (!multiline && ch === '\n') fail('line break in a string')
      pos++
      out += ch === '\\' ? escape(multiline) : ch
    }
  }
  const literalString = (): string => {
    const multiline = src.startsWith("'''", pos)
    pos += multiline ? 3 : 1
    if (multiline) skipNewline()
    let end = src.indexOf(multiline ? "'''" : "'", pos)
    if (end < 0) fail('unterminated string')
    if (multiline) while (src[end + 3] === "'" && src.startsWith("'''", end + 1)) end++
    const out = src.slice(pos, end)
    if (!multiline && out.includes('\n')) fail('line break in a string')
    pos = end + (multiline ? 3 : 1)
    return out
  }

  const key = (): string[] => {
    const parts: string[] = []
    for (;;) {
      skipSpaces()
      const ch = src[pos]
      const part = ch === '"' ? basicString() : ch === "'" ? literalString() : match(BARE_KEY)
      parts.push(part ?? fail('expected a key'))
      skipSpaces()
      if (src[pos] !== '.') return parts
      pos++
    }
  }

  const scalar = (): TomlValue => {
    const token = match(SCALAR) ?? fail('expected a value')
    if (token === 'true' || token === 'false') return token === 'true'
    if (/^[+-]?(inf|nan)$/.test(token)) {
      return token.endsWith('nan') ? NaN : token.startsWith('-') ? -Infinity : Infinity
    }
    const radix = /^0([xob])([0-9A-Fa-f_]+)$/.exec(token)
    if (radix?.[1] !== undefined && radix[2] !== undefined) {
      const value = parseInt(radix[2].replaceAll('_', ''), RADIX[radix[1]])
      return Number.isNaN(value) ? fail(`invalid number ${token}`) : value
    }
    if (DECIMAL.test(token)) return Number(token.replaceAll('_', ''))
    if (/^\d{4}-\d{2}-\d{2}/.test(token)) return token + (match(TIME_AFTER_DATE) ?? '')
    if (/^\d{2}:\d{2}/.test(token)) return token
    return fail(`invalid value ${token.slice(0, 40)} (strings need quotes)`)
  }
  const array = (): TomlValue[] => {
    pos++
    const items: TomlValue[] = []
    for (;;) {
      skipBlank()
      if (src[pos] === ']') break
      items.push(value())
      skipBlank()
      if (src[pos] === ',') pos++
      else if (pos >= src.length) fail('unterminated array')
      else if (src[pos] !== ']') fail('expected , or ] in an array')
    }
    pos++
    return items
  }
  const inlineTable = (): TomlInlineTable => {
    pos++
    const result: Record<string, TomlValue> = {}
    for (;;) {
      skipBlank()
      if (src[pos] === '}') break
      const path = key().join('.')
      if (src[pos] !== '=') fail('expected = after a key')
      pos++
      skipSpaces()
      result[path] = value()
      skipBlank()
      if (src[pos] === ',') pos++
      else if (src[pos] !== '}') fail('expected , or } in an inline table')
    }
    pos++
    return result
  }
  const value = (): TomlValue => {
    const ch = src[pos]
    if (ch === '"') return basicString()
    if (ch === "'") return literalString()
    if (ch === '[') return array()
    if (ch === '{') return inlineTable()
    return scalar()
  }

  for (;;) {
    skipBlank()
    if (pos >= src.length) return entries
    if (src[pos] === '[') {
      const isArray = src.startsWith('[[', pos)
      pos += isArray ? 2 : 1
      const path = key()
      const close = isArray ? ']]' : ']'
      if (!src.startsWith(close, pos)) fail(`expected ${close} after a table name`)
      pos += close.length
      table = isArray ? [...path.slice(0, -1), `${path.at(-1)}[]`] : path
      endLine()
      continue
    }
    const path = [...table, ...key()].join('.')
    if (src[pos] !== '=') fail('expected = after a key')
    pos++
    skipSpaces()
    const parsed = value()
    if (entries.has(path) && !path.includes('[]')) fail(`duplicate key ${path}`)
    entries.set(path, parsed)
    endLine()
  }
}
