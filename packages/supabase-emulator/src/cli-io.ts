// Where the `parley-supabase` commands write, injectable so tests capture the output.

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
}

/** The process's stdout and stderr. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}
