// The counters of SimNetwork: what a test asserts on to tell loss, duplication and reordering apart.

/** Counters since the network was created; every figure counts one recipient copy. */
export interface SimNetworkStats {
  /** Copies accepted by `send` (one per recipient, before any loss). */
  sent: number
  /** Copies handed to a recipient's `onMessage`. */
  delivered: number
  /** Copies lost to `dropRate`. */
  dropped: number
  /** Copies lost because the link was cut (partition, offline peer, closed peer). */
  blocked: number
  /** Extra copies made by `duplicateRate`. */
  duplicated: number
  /** Delivery steps that took a message out of order. */
  reordered: number
  /** Payload bytes accepted by `send` (over all recipient copies). */
  bytes: number
  /** Copies queued and not yet delivered or lost. */
  pending: number
}
