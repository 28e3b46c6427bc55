/** Counters of a Supabase transport, for benchmarks and diagnostics. */
export interface SupabaseTransportStats {
  /** Broadcast events sent (one per frame). */
  framesSent: number
  /** Messages handed to `send` that went out (a frame carries one or more). */
  messagesSent: number
  /** Payload bytes of the frames sent. */
  bytesSent: number
  /** Broadcast events received and decoded. */
  framesReceived: number
  /** Messages delivered to `message` listeners. */
  messagesReceived: number
  /** Payload bytes of the frames received. */
  bytesReceived: number
  /** Frames or events dropped as invalid. */
  invalidReceived: number
  /** Messages not sent: too large, queue overflow, refused by Realtime. */
  sendFailed: number
  /** Channel joins that succeeded (first joins and rejoins). */
  joins: number
  /** Channels re-created after Realtime closed them (token expiry, revoked access) or a move. */
  resubscribes: number
  /** Moves of a room to its conversation's new topic (someone left: a new epoch). */
  topicMoves: number
}

/** A fresh set of counters, all zero: the transport bumps them in place and hands out copies. */
export function createSupabaseTransportStats(): SupabaseTransportStats {
  return {
    framesSent: 0,
    messagesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    invalidReceived: 0,
    sendFailed: 0,
    joins: 0,
    resubscribes: 0,
    topicMoves: 0,
  }
}
