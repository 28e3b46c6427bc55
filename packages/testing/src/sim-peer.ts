// One endpoint of SimNetwork and the handler it receives messages with: all a peer under test sees
// of the network.

/** Receives a message: the sender's id and the payload (a private copy per recipient). */
export type SimMessageHandler = (from: string, bytes: Uint8Array) => void

/** One endpoint of a {@link SimNetwork}. */
export interface SimPeer {
  readonly id: string
  /** Whether this peer is online (see {@link SimNetwork.setOnline}). */
  readonly online: boolean
  /**
   * Queues `bytes` for `to`, or for every other connected peer with `'all'`. Never throws for
   * network reasons: a message over a cut link is lost, as on a real network. Throws a
   * `SimNetworkError` with code `closed` after this peer or the network closed.
   */
  send(to: string | 'all', bytes: Uint8Array): void
  /** Leaves the network; queued messages to this peer are lost. Idempotent. */
  close(): void
}
