// What the cases of the remote log contract share: the harness an implementation provides, the
// per-test context the cases run in, and small helpers (fresh ids, expected rejections).
import { expect } from 'vitest'
import {
  isRemoteLogError,
  type ConversationId,
  type DeviceId,
  type RemoteLog,
  type RemoteLogErrorCode,
  type RemoteLogEvents,
  type RemotePutSnapshotResult,
  type UserId,
} from '@parley/core/ports'
import type { TestDevice } from '../register-test-device.js'

/** What a RemoteLog implementation gives {@link remoteLogContract}: one fresh server per test. */
export interface RemoteLogContractHarness {
  /**
   * A remote log signed in as the user called `user` on this harness's server: the same name
   * is the same user (a new device), another name another user.
   */
  connect(user: string): Promise<{ log: RemoteLog; userId: UserId }>
  /** The trusted compaction: prunes the log up to a stored snapshot's `uptoSeq`. */
  prune(conversationId: ConversationId, uptoSeq: number): Promise<void>
  /**
   * The trusted compactor's `put_snapshot` (the service role; members cannot write snapshots):
   * stores a snapshot of seqs `1..uptoSeq` unless one at least as new exists.
   */
  putSnapshot(
    conversationId: ConversationId,
    state: Uint8Array,
    uptoSeq: number,
  ): Promise<RemotePutSnapshotResult>
  /** Releases the server after each test (logs are closed before). */
  dispose?(): void | Promise<void>
}

/** Options of {@link remoteLogContract}. */
export interface RemoteLogContractOptions {
  /** How long to wait for an expected notice, in ms. Default 5,000. */
  timeoutMs?: number
}

/** One connected device of the contract: its log, its user and its registered device. */
export interface ContractDevice {
  log: RemoteLog
  userId: UserId
  /** Registered on connect, so the device may push at once. */
  device: TestDevice
}

/** The events of one kind a log emitted, and a way to wait for one. */
export interface EventCollector<E extends keyof RemoteLogEvents> {
  seen: RemoteLogEvents[E][]
  /** Resolves once `predicate` held for an event (already seen or to come); times out. */
  until(what: string, predicate: (payload: RemoteLogEvents[E]) => boolean): Promise<void>
}

/** What each case of the contract runs with. */
export interface RemoteLogContractContext {
  /** This test's harness. */
  harness(): RemoteLogContractHarness
  /** Connects a device of `user` (see {@link RemoteLogContractHarness.connect}), closed after the test. */
  connect(user: string): Promise<ContractDevice>
  /** Collects `event` of `log` from now on. */
  collect<E extends keyof RemoteLogEvents>(log: RemoteLog, event: E): EventCollector<E>
  /** Resolves when the inbox of `log` is online. */
  inboxOnline(log: RemoteLog): Promise<void>
}

export const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)
export const randomBytes = (length: number): Uint8Array =>
  globalThis.crypto.getRandomValues(new Uint8Array(length))
export const newConversationId = (): ConversationId =>
  globalThis.crypto.randomUUID() as ConversationId
export const newDeviceId = (): DeviceId => globalThis.crypto.randomUUID() as DeviceId

/** Resolves with the rejection of `promise`, failing if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to reject, but it resolved')
}

/** Expects `promise` to reject with a RemoteLogError of `code`; returns the error. */
export async function expectCode(
  promise: Promise<unknown>,
  code: RemoteLogErrorCode,
): Promise<unknown> {
  const error = await rejection(promise)
  expect(isRemoteLogError(error), String(error)).toBe(true)
  expect((error as { code: string }).code, String(error)).toBe(code)
  return error
}
