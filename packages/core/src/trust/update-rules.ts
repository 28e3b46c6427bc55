// The rules of docs/TRUST.md, checked on an update from another device before it is applied:
// what it inserts (each struct under the sender's client ids, each value in its place and of its
// writer) and what it deletes (only what the sender's user may remove). The verdict depends only
// on the update, the sender, the device bindings and the structs it refers to — never on what
// happened to them since — so every honest replica reaches the same verdict in any order.
import * as Y from 'yjs'
import { isMessageId, isUserId, type UserId } from '../ids.js'
import {
  checkEditRecord,
  checkMemberRecord,
  checkMessageRecord,
  checkReactionRecord,
  checkReceiptRecord,
  checkTombstoneRecord,
  type MemberRole,
} from '../schema.js'
import { validateUpdate } from '../update-validator.js'
import { ItemLocator, type ItemLocation, type MapRoot } from './item-locations.js'
import {
  ACCEPT,
  HOLD,
  reject,
  type RuleVerdict,
  type TrustDirectory,
  type UpdateSender,
} from './trust-types.js'

/** Judges `update`, sent by `sender`, against the document `doc` it is about to be applied to. */
export function checkUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  sender: UpdateSender,
  directory: TrustDirectory,
): RuleVerdict {
  const valid = validateUpdate(update)
  if (!valid.ok) return reject('malformed', `${valid.reason} at byte ${valid.offset}`)
  let decoded: ReturnType<typeof Y.decodeUpdate>
  try {
    decoded = Y.decodeUpdate(update)
  } catch {
    return reject('malformed', 'does not decode')
  }
  const locator = new ItemLocator(doc, decoded.structs)
  let held = false
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue
    if (!sender.ownsClient(struct.id.client)) {
      return reject('foreign-client', `a struct of client ${struct.id.client}`)
    }
    if (struct instanceof Y.GC) continue
    const where = locator.locate(struct)
    if (where === 'missing') {
      held = true
      continue
    }
    const verdict = checkInsert(struct, where, sender)
    if (verdict !== ACCEPT) return verdict
  }
  for (const [client, ranges] of decoded.ds.clients) {
    for (const { clock, len } of ranges) {
      const verdict = checkDeletes(locator, client, clock, clock + len, sender, directory)
      if (verdict === HOLD) held = true
      else if (verdict !== ACCEPT) return verdict
    }
  }
  return held ? HOLD : ACCEPT
}

// ── inserts ───────────────────────────────────────────────────────────────────────────────────

function checkInsert(item: Y.Item, where: ItemLocation, sender: UpdateSender): RuleVerdict {
  const content = item.content
  if (where.kind === 'garbage') return ACCEPT
  if (where.kind === 'outside') return reject('unknown-location', where.detail)
  if (content instanceof Y.ContentDeleted) return checkPlace(where, sender, undefined)
  if (where.kind === 'chunk') {
    return content instanceof Y.ContentType && content.type instanceof Y.Array
      ? ACCEPT
      : reject('invalid-record', 'a chunk that is not an array')
  }
  if (!(content instanceof Y.ContentAny)) {
    return reject('unknown-location', 'a nested type outside the chunks')
  }
  if (where.kind === 'record') {
    for (const value of content.arr) {
      const record = checkMessageRecord(value)
      if (!record.ok) return reject('invalid-record', 'an invalid message record')
      if (record.value.a !== sender.user) {
        return reject('not-author', `a message record claiming author ${record.value.a}`)
      }
    }
    return ACCEPT
  }
  if (content.arr.length !== 1)
    return reject('invalid-record', `${where.root} entry of ${content.arr.length} values`)
  return checkPlace(where, sender, content.arr[0])
}

/**
 * Whether the sender may write `value` at a keyed entry (`undefined`: a value created and removed
 * within the update, judged by its place alone).
 */
function checkPlace(
  where: Exclude<ItemLocation, { kind: 'garbage' | 'outside' }>,
  sender: UpdateSender,
  value: unknown,
): RuleVerdict {
  if (where.kind !== 'entry') return ACCEPT
  const { root, key } = where
  const keyed = keyUser(root, key)
  switch (root) {
    case 'edits':
    case 'deleted': {
      if (value === undefined) return ACCEPT
      const record = root === 'edits' ? checkEditRecord(value) : checkTombstoneRecord(value)
      if (!record.ok || record.value.i !== key) return reject('invalid-record', `${root} ${key}`)
      return record.value.a === sender.user
        ? ACCEPT
        : reject('not-author', `${root} ${key} claiming author ${record.value.a}`)
    }
    case 'reactions':
    case 'receipts': {
      if (keyed === undefined) return reject('invalid-record', `${root} key ${key}`)
      if (keyed !== sender.user) return reject('not-author', `${root} ${key} of another user`)
      if (value === undefined) return ACCEPT
      const ok = root === 'reactions' ? checkReactionRecord(value).ok : checkReceiptRecord(value).ok
      return ok ? ACCEPT : reject('invalid-record', `${root} ${key}`)
    }
    case 'members': {
      if (!isUserId(key)) return reject('invalid-record', `member key ${key}`)
      if (value === undefined) return ownerOr(sender, key === sender.user, `members ${key}`)
      const record = checkMemberRecord(value)
      if (!record.ok) return reject('invalid-record', `member ${key}`)
      // Anyone may write their own entry (their name) with a role they have; the rest is owners'.
      const own = key === sender.user && mayHoldRole(sender.role, record.value.role)
      return ownerOr(sender, own, `member ${key} with role ${record.value.role}`)
    }
    case 'meta':
      return ownerOr(sender, false, `meta ${key}`)
  }
}

// ── deletes ───────────────────────────────────────────────────────────────────────────────────

/** Judges the deletion of clocks `[from, to)` of `client`. */
function checkDeletes(
  locator: ItemLocator,
  client: number,
  from: number,
  to: number,
  sender: UpdateSender,
  directory: TrustDirectory,
): RuleVerdict {
  let clock = from
  let held = false
  while (clock < to) {
    const struct = locator.find(client, clock)
    if (struct === undefined) {
      // Items this replica has not got yet (Yjs would keep the deletion pending): judge later.
      held = true
      clock = nextKnownClock(locator, client, clock, to)
      continue
    }
    const verdict = checkDelete(locator, struct, sender, directory)
    if (verdict === HOLD) held = true
    else if (verdict !== ACCEPT) return verdict
    clock = struct.id.clock + struct.length
  }
  return held ? HOLD : ACCEPT
}

/** The first clock after `clock` (below `to`) that the update or the document has, else `to`. */
function nextKnownClock(locator: ItemLocator, client: number, clock: number, to: number): number {
  let next = to
  for (const s of locator.updateStructs(client)) {
    if (s.id.clock > clock && s.id.clock < next && !(s instanceof Y.Skip)) next = s.id.clock
  }
  return next
}

function checkDelete(
  locator: ItemLocator,
  struct: Y.Item | Y.GC | Y.Skip,
  sender: UpdateSender,
  directory: TrustDirectory,
): RuleVerdict {
  const creator = directory.userOfClient(struct.id.client)
  if (!(struct instanceof Y.Item)) {
    // Collected content has no place left: only its writer's user may "delete" it (a no-op).
    return creator === sender.user
      ? ACCEPT
      : reject('not-author', 'a deletion of collected content')
  }
  const where = locator.locate(struct)
  if (where === 'missing') return HOLD
  switch (where.kind) {
    case 'garbage':
      return ACCEPT
    case 'outside':
      return reject('unknown-location', where.detail)
    case 'chunk':
      return reject('chunk-removed', `chunk ${struct.id.client}:${struct.id.clock}`)
    case 'record':
      return creator === sender.user
        ? ACCEPT
        : reject('not-author', `a message record of ${creator ?? 'an unknown writer'}`)
    case 'entry':
      return checkEntryRemoval(where.root, where.key, creator, sender)
  }
}

/** Removing (or overwriting) the value a user wrote at a keyed entry. */
function checkEntryRemoval(
  root: MapRoot,
  key: string,
  creator: UserId | undefined,
  sender: UpdateSender,
): RuleVerdict {
  switch (root) {
    case 'edits':
    case 'deleted':
      return creator === sender.user
        ? ACCEPT
        : reject('not-author', `${root} ${key} of another user`)
    case 'reactions':
    case 'receipts':
      return keyUser(root, key) === sender.user
        ? ACCEPT
        : reject('not-author', `${root} ${key} of another user`)
    case 'members':
      // A member's own entry (their name) is theirs to rewrite, whoever wrote it before.
      return ownerOr(sender, key === sender.user, `members ${key}`)
    case 'meta':
      return ownerOr(sender, false, `meta ${key}`)
  }
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

/** The user a reaction (`messageId/userId/reaction`) or receipt (`userId/deviceId`) key names. */
function keyUser(root: MapRoot, key: string): UserId | undefined {
  if (root === 'reactions') {
    const first = key.indexOf('/')
    const second = first < 0 ? -1 : key.indexOf('/', first + 1)
    const user = second < 0 ? '' : key.slice(first + 1, second)
    return isMessageId(key.slice(0, first)) && isUserId(user) ? user : undefined
  }
  if (root === 'receipts') {
    const user = key.slice(0, key.indexOf('/'))
    return isUserId(user) ? user : undefined
  }
  return undefined
}

function ownerOr(sender: UpdateSender, allowed: boolean, what: string): RuleVerdict {
  return allowed || sender.role === 'owner' ? ACCEPT : reject('not-owner', what)
}

/** Whether a member with server role `role` may name themselves `claimed` in the document. */
function mayHoldRole(role: MemberRole | undefined, claimed: MemberRole): boolean {
  return claimed === 'member' || role === claimed
}
