// The dotenv format of `supabase/functions/.env` (and `--env-file`), as the Supabase CLI reads
// it: `KEY=value` lines, `export ` prefixes, `#` comments, single-, double- and back-quoted values
// (double quotes expand `\n`), multi-line quoted values.

/** Parses a dotenv file into its variables; malformed lines are skipped. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const line =
    /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*('(?:\\'|[^'])*'|"(?:\\"|[^"])*"|`(?:\\`|[^`])*`|[^#\r\n]*)[ \t]*(?:#[^\r\n]*)?$/gm
  for (const [, key, raw = ''] of text.replace(/\r\n?/g, '\n').matchAll(line)) {
    if (key === undefined) continue
    const quote = raw[0]
    let value = raw.trim()
    if ((quote === '"' || quote === "'" || quote === '`') && raw.endsWith(quote)) {
      value = raw.slice(1, -1)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r')
    }
    out[key] = value
  }
  return out
}
