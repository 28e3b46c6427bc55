// The contract between `bench/engine-browser.bench.ts` (Node, Playwright) and the bench page
// (`main.ts`, exposed as `globalThis.bench`), and between the page and its lab worker
// (`lab.worker.ts`). Plain data only, and no DOM types, so the Node side type-checks without them.

/** Database and naming constants shared by the page, its workers and the Node driver. */
export const BENCH = {
  /** Dexie database of the bench engine (separate from the e2e harness's `parley-harness`). */
  dbName: 'parley-bench',
  /** Namespace of the engine's Web Locks (`parley-bench:engine`). */
  hostName: 'parley-bench',
  /** The y-indexeddb database holding the 100k conversation, for the baseline. */
  yName: 'ybench-100k',
  /** The y-indexeddb database the send baseline writes to. */
  ySendName: 'ybench-send',
  user: 'alice',
} as const

/** Ids of the conversations the build step created. */
export interface BuildResult {
  big: string
  small: string
  /**
   * One-message conversations, as many as the engine keeps hydrated (its default hot-set size):
   * opening them all makes every other conversation cold again.
   */
  evict: string[]
  bigCount: number
  smallCount: number
  buildMs: number
  /** Bytes of the 100k conversation's stored snapshot(s) and rows of its log. */
  snapshotBytes: number
  logRows: number
}

/** Requests the page sends to its lab worker. */
export type LabRequest =
  | {
      type: 'build'
      big: number
      small: number
      evict: number
      /** How many of the newest `big` messages are sent through the Engine. */
      viaEngine: number
    }
  | { type: 'y-hydrate'; name: string; keep: boolean }
  | { type: 'y-release' }
  | { type: 'y-last-page'; name: string }
  | { type: 'store-hydrate'; conversationId: string }
  | { type: 'y-send'; name: string; samples: number }
  | { type: 'y-burst'; name: string; count: number }

/** Timings of a y-indexeddb open (IndexeddbPersistence, fresh Y.Doc, until `whenSynced`). */
export interface YHydrateResult {
  ms: number
  /** Bytes of `encodeStateAsUpdate` of the loaded doc, as a sanity check of what was read. */
  stateBytes: number
}

/** The last page as y-indexeddb can produce it: whole doc loaded, newest chunk sorted. */
export interface YLastPageResult {
  ms: number
  count: number
}

/** Parley's hydration in the lab worker, split into its parts (Dexie read, model apply). */
export interface StoreHydrateResult {
  loadMs: number
  applyMs: number
  size: number
}

/** Replies of the lab worker, matched to requests by `id`. */
export type LabReply =
  | { type: 'progress'; message: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string }

/** What the Node driver calls on a bench page (`globalThis.bench`). */
export interface BenchApi {
  /** Whether the page is cross-origin isolated (5 µs timers instead of 100 µs). */
  isolated(): boolean
  /** Connects this tab to the engine in the SharedWorker named `workerName`; resolves with ms. */
  connect(workerName: string): Promise<number>
  /** Times `conversationState(id)` from call to resolution in this tab. */
  state(conversationId: string): Promise<{ ms: number; count: number; fromTail: boolean }>
  /**
   * Cold first render: starts a new SharedWorker named `workerName`, connects (engine open), asks
   * `conversationState(id)`; ms from before the worker is created to the state in hand.
   */
  coldState(
    conversationId: string,
    workerName: string,
  ): Promise<{ ms: number; connectMs: number; count: number; fromTail: boolean }>
  /** Creates a conversation; resolves with its id. */
  create(title: string): Promise<string>
  /** Times `page(id, { limit })` (hydrates the conversation when it is not hot). */
  page(conversationId: string, limit: number): Promise<{ ms: number; count: number }>
  /** Opens (hydrates) each conversation in turn, via `page(id, { limit: 1 })`. */
  touch(conversationIds: readonly string[]): Promise<void>
  /** Subscribes to a conversation and keeps the subscription (a UI showing it). */
  subscribe(conversationId: string): Promise<void>
  /** `n` sends, one after the other; ms of each from call to resolution (durable). */
  sendSequential(conversationId: string, n: number): Promise<number[]>
  /** `n` sends issued at once; ms until every one resolved (durable). */
  sendBurst(conversationId: string, n: number): Promise<number>
  /**
   * Sends `n` messages `prefix0…` one at a time, `gapMs` apart, and returns the epoch time
   * (`timeOrigin + now()`, ms) at which each `send` was called.
   */
  sendSeries(conversationId: string, prefix: string, n: number, gapMs: number): Promise<number[]>
  /** Subscribes and records the epoch time at which each message text starting with `prefix` arrived. */
  watch(conversationId: string, prefix: string): Promise<void>
  /** Arrival times recorded by `watch`, by message text. */
  arrivals(): Record<string, number>
  /** Answers clock pings from other tabs (over BroadcastChannel). */
  clockServe(): void
  /** Estimated offset (ms) of the serving tab's epoch clock relative to this tab's, and the best RTT. */
  clockOffset(samples: number): Promise<{ offsetMs: number; rttMs: number }>
  /** Whether some context holds the engine's Web Lock (an engine is running). */
  engineRunning(): Promise<boolean>
  /** Runs a request in this page's lab worker (started on first use, then kept). */
  lab(request: LabRequest): Promise<unknown>
  /** Progress lines the lab worker posted since the last call. */
  labProgress(): string[]
  /** Stops the lab worker (its heap is measured through CDP before this). */
  labStop(): void
  /** Starts a fresh lab worker, runs one request, stops it; ms from `new Worker` to the reply. */
  labCold(request: LabRequest): Promise<{ ms: number; value: unknown }>
  /** Closes the client (the tab stays open). */
  disconnect(): Promise<void>
}
