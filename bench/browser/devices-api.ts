// The contract between `bench/engine-devices.bench.ts` (Node, Playwright) and the devices bench
// page (`devices.ts`, exposed as `globalThis.devices`), and between that page and its engine
// worker (`devices.worker.ts`). Plain data only, and no DOM types, so the Node side type-checks
// without them.

import type { SupabaseTransportStats } from '@parley/transport-supabase'

/** Names shared by the devices page, its worker and the Node driver. */
export const DEVICES = {
  /** Dexie database of a device's engine (each browser context is a device with its own). */
  dbName: 'parley-bench-devices',
  /** Namespace of the engine's Web Locks (`parley-bench-devices:engine`). */
  hostName: 'parley-bench-devices',
  /** BroadcastChannel on which the worker answers transport-stats requests (test-only hook). */
  statsChannel: 'parley-bench-devices-stats',
} as const

/** The worker's configuration, passed as JSON in the worker's `name`. */
export interface DevicesWorkerConfig {
  server: { url: string; anonKey: string }
}

/** Counters of the live transport (`SupabaseTransport.stats()`), copied to the page. */
export type TransportCounters = SupabaseTransportStats

/** Messages on {@link DEVICES.statsChannel}. */
export type StatsMessage =
  | { type: 'stats-request'; n: number }
  | { type: 'stats-reply'; n: number; stats: TransportCounters | null }

/** What a page opened with `?watch=<id>&expect=<n>` records while its engine catches up. */
export interface CatchUpReport {
  /** ms since the page's navigation start (`performance.now()`) when the client was connected. */
  connectedMs: number
  /** ms since navigation start when the first conversation state arrived. */
  firstStateMs: number
  /** Whether that first state came from the stored tail record. */
  firstFromTail: boolean
  /** ms since navigation start when the view held `expect` messages (unread count and newest text). */
  completeMs: number
  /** ms since navigation start when, after that, the sync status said online with nothing pending. */
  syncedMs: number
  /** Subscription callbacks until complete. */
  updates: number
  /** The error that stopped the page, if any. */
  error?: string
}

/** What the Node driver calls on a devices page (`globalThis.devices`). */
export interface DevicesApi {
  /** Whether the page is cross-origin isolated (5 µs timers instead of 100 µs). */
  isolated(): boolean
  /** Epoch time (`timeOrigin + now()`, ms) in this page. */
  now(): number
  /** Connects this tab to its device's engine (SharedWorker, or dedicated per the URL); resolves with ms. */
  connect(): Promise<number>
  /** Signs in anonymously; resolves with the user id. */
  signIn(displayName: string): Promise<string>
  /** Creates a conversation; resolves with its id. */
  create(title: string): Promise<string>
  /** Creates an invite code for a conversation. */
  invite(conversationId: string): Promise<string>
  /** Joins by invite code; resolves with the conversation id, once caught up. */
  join(code: string): Promise<string>
  /**
   * Subscribes and records the epoch time at which each message text starting with `prefix`
   * first appeared in this tab's state.
   */
  watch(conversationId: string, prefix: string): Promise<void>
  /**
   * Answers every message whose text starts with `fromPrefix` with a send of the same text with
   * `toPrefix` instead, at once (a clock-free cross-check: the sender times the round trip).
   */
  echo(conversationId: string, fromPrefix: string, toPrefix: string): Promise<void>
  /** Arrival times recorded by `watch`, by message text. */
  arrivals(): Record<string, number>
  /**
   * Sends `prefix0…` one at a time, each after the previous resolved and `gapMs` passed; returns
   * the epoch time at which each `send` was called.
   */
  sendSeries(conversationId: string, prefix: string, n: number, gapMs: number): Promise<number[]>
  /**
   * Sends `n` messages `prefix0…` in batches of `batch` concurrent sends; resolves with the ms
   * from the first call to the last resolution (all durable).
   */
  sendBatches(conversationId: string, prefix: string, n: number, batch: number): Promise<number>
  /** Sends `n` messages at once (one task), durable; returns ms from first call to last resolution. */
  sendBurst(conversationId: string, prefix: string, n: number): Promise<number>
  /** The engine's sync status. */
  syncStatus(): Promise<{ state: string; pending: number; failed: number }>
  /** Messages in the conversation (a page of up to `limit`): count, oldest and newest text. */
  count(
    conversationId: string,
    limit: number,
  ): Promise<{ count: number; first: string; last: string }>
  /** The live transport's counters, from the worker (null before the engine has a transport). */
  transportStats(): Promise<TransportCounters | null>
  /** The catch-up report of a page opened with `?watch=`; null before it finished. */
  catchUp(): CatchUpReport | null
  /** Whether some context of this device holds the engine's Web Lock. */
  engineRunning(): Promise<boolean>
  /** Closes the client (the tab stays open). */
  disconnect(): Promise<void>
}
