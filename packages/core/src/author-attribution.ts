import type { UserId } from './ids.js'

/**
 * Who really wrote the Yjs updates of a client id. A record in the document only *claims* its
 * author; an attribution lets the view check the claim against knowledge from outside the
 * document — typically the server, which knows which authenticated user pushed the update that
 * introduced each Yjs client id.
 *
 * Contract: `writerOf` is synchronous, cheap (called once per arriving record) and stable — once
 * it names a user for a client id it keeps naming the same one. Records already in the view are
 * not re-checked when an attribution learns something new.
 */
export interface AuthorAttribution {
  /**
   * The user whose device wrote Yjs client `clientId`, or `undefined` when unknown; the
   * record's own claim is then trusted.
   */
  writerOf(clientId: number): UserId | undefined
}

/** The default attribution: knows nothing, so every record's claim of authorship is trusted. */
export const trustClaims: AuthorAttribution = Object.freeze({
  writerOf: () => undefined,
})

/** An attribution backed by a map from Yjs client id to user, e.g. filled in by the server. */
export function attributionFromMap(writers: ReadonlyMap<number, UserId>): AuthorAttribution {
  return { writerOf: (clientId) => writers.get(clientId) }
}
