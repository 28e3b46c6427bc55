// One sentence for an error shown to the user.

/** A readable description of anything thrown, with the error's code when it has one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : ''
    return `${error.message}${code}`
  }
  return String(error)
}
