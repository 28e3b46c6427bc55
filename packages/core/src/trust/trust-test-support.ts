// Test support for the trust rules: documents of known users under known client ids, a raw Yjs
// replica for writing what a malicious member could write, and the sender/directory of each.
import * as Y from 'yjs'
import { ConversationDoc } from '../conversation-doc.js'
import type { UserId } from '../ids.js'
import type { MemberRole } from '../schema.js'
import type { TrustDirectory, UpdateSender } from './trust-types.js'

/** A user of the tests, with one device and its client id. */
export interface TestUser {
  readonly user: UserId
  readonly device: string
  readonly clientId: number
  readonly role: MemberRole | undefined
}

/** The users of a conversation and the bindings a replica would learn from the server. */
export class TestRoster {
  readonly #users = new Map<UserId, TestUser>()
  readonly #clients = new Map<number, UserId>()

  add(user: string, clientId: number, role: MemberRole | undefined = 'member'): TestUser {
    const u: TestUser = { user: user as UserId, device: `d-${user}`, clientId, role }
    this.#users.set(u.user, u)
    this.#clients.set(clientId, u.user)
    return u
  }

  /** Binds one more client id to `user` (another device or run). */
  bind(user: TestUser, clientId: number): void {
    this.#clients.set(clientId, user.user)
  }

  readonly directory: TrustDirectory = {
    userOfClient: (clientId) => this.#clients.get(clientId),
  }

  /** `user` as the sender of an update, with every client id bound to them. */
  sender(user: TestUser): UpdateSender {
    return {
      user: user.user,
      role: user.role,
      ownsClient: (clientId) => this.#clients.get(clientId) === user.user,
    }
  }
}

/** A conversation document of `user`, writing under the user's client id. */
export function docOf(user: TestUser, id = 'conv', now = () => 1_700_000_000_000): ConversationDoc {
  return new ConversationDoc({
    id,
    user: user.user,
    device: user.device,
    clientId: user.clientId,
    wallClock: now,
    onError: (e) => {
      throw e
    },
  })
}

/** A raw Yjs replica holding `state`, writing as `clientId`. */
export function rawReplica(state: Uint8Array, clientId: number): Y.Doc {
  const raw = new Y.Doc({ gc: true })
  raw.clientID = clientId
  Y.applyUpdate(raw, state)
  return raw
}

/** The update of the transactions `change` makes on `doc`. */
export function captured(doc: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = []
  const off = (u: Uint8Array): void => {
    updates.push(u)
  }
  doc.on('update', off)
  try {
    doc.transact(change)
  } finally {
    doc.off('update', off)
  }
  return Y.mergeUpdates(updates)
}

/** The update `doc` emits for one intent. */
export function capturedIntent(doc: ConversationDoc, intent: () => void): Uint8Array {
  const updates: Uint8Array[] = []
  const off = doc.on('update', ({ update }) => {
    updates.push(update)
  })
  try {
    intent()
  } finally {
    off()
  }
  return Y.mergeUpdates(updates)
}
