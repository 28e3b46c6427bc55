// Splits a SQL script into statements for the migration history's `statements` column, the way
// the Supabase CLI records them. It only needs to find top-level semicolons: it skips quoted
// strings ('…', E'…', "…"), dollar-quoted bodies ($tag$…$tag$) and comments (--, nested /* */).

/** The statements of a SQL script, trimmed, without empty ones; each keeps no trailing `;`. */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0
  const n = sql.length
  const push = (end: number): void => {
    const text = sql.slice(start, end).trim()
    if (text !== '' && !isOnlyComments(text)) statements.push(text)
  }
  while (i < n) {
    const c = sql[i]
    const next = sql[i + 1]
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i)
      i = eol === -1 ? n : eol + 1
    } else if (c === '/' && next === '*') {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++
          i += 2
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--
          i += 2
        } else i++
      }
    } else if (c === "'" || c === '"') {
      // E'…' strings allow backslash escapes; standard strings only double the quote.
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1] ?? '')
      i++
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2
        else if (sql[i] === c && sql[i + 1] === c) i += 2
        else if (sql[i] === c) break
        else i++
      }
      i++
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))
      const before = sql[i - 1] ?? ''
      if (tag && !/[A-Za-z0-9_]/.test(before)) {
        const end = sql.indexOf(tag[0], i + tag[0].length)
        i = end === -1 ? n : end + tag[0].length
      } else i++
    } else if (c === ';') {
      push(i)
      i++
      start = i
    } else i++
  }
  push(n)
  return statements
}

function isOnlyComments(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim() === ''
  )
}
