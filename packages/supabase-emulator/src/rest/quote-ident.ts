// Identifier quoting for SQL built from catalog names. Names are validated against the schema
// cache first; quoting is the second fence, so a name with quotes or spaces stays one identifier.

/** Quotes a Postgres identifier (`my"col` → `"my""col"`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
