// The provider's newest unawaited error, readable with useSyncExternalStore. @internal

/** A one-value store of the newest error. */
export interface ErrorBus {
  report(error: Error): void
  latest(): Error | undefined
  dismiss(): void
  subscribe(listener: () => void): () => void
}

/** Creates an {@link ErrorBus}. */
export function createErrorBus(): ErrorBus {
  let current: Error | undefined
  const listeners = new Set<() => void>()
  const set = (next: Error | undefined): void => {
    current = next
    for (const listener of [...listeners]) listener()
  }
  return {
    report: (error) => set(error),
    latest: () => current,
    dismiss: () => set(undefined),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
