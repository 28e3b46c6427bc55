// The words of the trust rules (docs/TRUST.md): who sent an update, what the replica knows about
// devices and membership, and the verdict on one update.
import type { UserId } from '../ids.js'
import type { MemberRole } from '../schema.js'

/** Who sent an update, as established outside the update (a verified signature, the server's log row). */
export interface UpdateSender {
  readonly user: UserId
  /**
   * The sender's role in the conversation for this update: the server's membership now (live), or
   * when the server accepted the push (log). `undefined`: not a member.
   */
  readonly role: MemberRole | undefined
  /** Whether Yjs client `clientId` belongs to the sending device (bound on the server). */
  ownsClient(clientId: number): boolean
}

/** What a replica knows from the server about the writers of a conversation. */
export interface TrustDirectory {
  /**
   * The user whose device holds Yjs client `clientId`, or `undefined` when no known device holds
   * it. Bindings never change once made (the server refuses rebinding a client id).
   */
  userOfClient(clientId: number): UserId | undefined
}

/** Why an update was refused. */
export type RuleViolation =
  /** Not a well-formed Yjs update of a Parley document. */
  | 'malformed'
  /** A struct under a Yjs client id that is not the sending device's. */
  | 'foreign-client'
  /** The sender is not a member (live), or no known device writes under a client id. */
  | 'not-member'
  /** A record, receipt, reaction, edit or deletion of another user's data. */
  | 'not-author'
  /** Title, meta, roles or members changed without the owner role. */
  | 'not-owner'
  /** A chunk (a block of messages) removed: nobody may, it would erase others' messages. */
  | 'chunk-removed'
  /** Content outside the document's layout (an unknown root, a nested type where none belongs). */
  | 'unknown-location'
  /** A value that is not a valid record for its place. */
  | 'invalid-record'
  /** The signature does not verify, or is missing. */
  | 'bad-signature'
  /** The device is not known to the server (or not for this user). */
  | 'unknown-device'
  /** Held for missing dependencies too long (or too many held): dropped. */
  | 'unresolved'

/** The verdict of the rules on one update. */
export type RuleVerdict =
  | { readonly status: 'accept' }
  /** Refers to structs this replica does not have yet: judge again once they arrive. */
  | { readonly status: 'hold' }
  | { readonly status: 'reject'; readonly reason: RuleViolation; readonly detail: string }

export const ACCEPT: RuleVerdict = Object.freeze({ status: 'accept' })
export const HOLD: RuleVerdict = Object.freeze({ status: 'hold' })

/** A refusal. */
export function reject(reason: RuleViolation, detail: string): RuleVerdict {
  return { status: 'reject', reason, detail }
}
