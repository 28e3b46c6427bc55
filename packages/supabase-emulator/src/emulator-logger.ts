// Where the emulator reports what happened. Library code never writes to the console; the CLI
// passes a console logger, tests may pass a recording one.

/** Receives the emulator's log lines. Methods must not throw. */
export interface EmulatorLogger {
  debug(message: string, details?: Record<string, unknown>): void
  info(message: string, details?: Record<string, unknown>): void
  warn(message: string, details?: Record<string, unknown>): void
  error(message: string, details?: Record<string, unknown>): void
}

/**
 * The default logger: silent except for `error`, which becomes a process warning (so an
 * emulator bug is never swallowed, yet nothing is printed on the happy path).
 */
export const quietLogger: EmulatorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message, details) => {
    process.emitWarning(message, { code: 'PARLEY_EMULATOR', detail: describeDetails(details) })
  },
}

/** Completes a partial logger with {@link quietLogger}'s methods. */
export function completeLogger(logger: Partial<EmulatorLogger> | undefined): EmulatorLogger {
  return { ...quietLogger, ...logger }
}

/** Renders log details (errors included) as one line of JSON. */
export function describeDetails(details: Record<string, unknown> | undefined): string | undefined {
  if (details === undefined) return undefined
  try {
    return JSON.stringify(details, (_key, value: unknown) =>
      value instanceof Error
        ? `${value.name}: ${value.message}${value.stack ? `\n${value.stack}` : ''}`
        : value,
    )
  } catch {
    return String(details)
  }
}
