// The events of SimNetwork; `link-up` is the hook a resync protocol needs after loss.

/** Events of {@link SimNetwork}: one payload object each. */
export interface SimNetworkEvents {
  /**
   * Two connected peers can reach each other again (or for the first time: a peer connected, a
   * partition healed, a peer came back online). This is the hook for a state-vector resync:
   * messages lost while the link was down are gone, so each side must ask the other for what it
   * is missing.
   */
  'link-up': { a: string; b: string }
  /** Two peers can no longer reach each other (partition, offline, closed). */
  'link-down': { a: string; b: string }
  /** `heal()` was called; `link-up` events for the restored links were emitted just before. */
  heal: Record<string, never>
}
