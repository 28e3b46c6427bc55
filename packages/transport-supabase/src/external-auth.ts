// How a transport or remote log follows a session it does not own. In Parley's worker the
// Supabase client is created with supabase-js's `accessToken` option (the app's tabs own the
// session and hand over each token), so `client.auth` cannot be used: the user is fixed, and a
// token change is announced here instead of through `onAuthStateChange`.

/** A session owned elsewhere (see `createSupabaseServer`). */
export interface SupabaseExternalAuth {
  /** The signed-in user's id, fixed for the life of the transport or log. */
  readonly userId: string
  /**
   * Calls `listener` after each new access token (the client's `accessToken` callback already
   * returns it). Returns the function that stops listening.
   */
  onTokenChange(listener: () => void): () => void
}

/** A {@link SupabaseExternalAuth} whose token changes are announced with `changed()`. */
export interface ExternalAuthCell extends SupabaseExternalAuth {
  changed(): void
}

/** Creates an {@link ExternalAuthCell} for `userId`. */
export function createExternalAuth(userId: string): ExternalAuthCell {
  const listeners = new Set<() => void>()
  return {
    userId,
    onTokenChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    changed() {
      for (const listener of [...listeners]) listener()
    },
  }
}
