// What the trust bench page exposes to the Node driver (bench/trust.bench.ts).

/** Per-operation times in µs of one run in a worker. */
export interface TrustTimings {
  /** Ed25519 signature of one chat-message update (WebCrypto, non-extractable key). */
  sign: number[]
  /** Verification of the same. */
  verify: number[]
  /** The rules (`checkUpdate`) on the same update against a 1,000-message document. */
  check: number[]
  /** Y.applyUpdate of the same update into a fresh replica of that document: the reference. */
  apply: number[]
  /** Bytes of the median update. */
  updateBytes: number
}

export interface TrustBenchApi {
  run(samples: number): Promise<TrustTimings>
}
