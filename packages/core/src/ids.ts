// Branded identifiers. A brand costs nothing at run time; it stops a `UserId` from being passed
// where a `MessageId` is expected. Values that come from outside (network, storage, the app) are
// checked with the `isXxx` guards or built with the `asXxx` constructors, which validate.
import { ParleyError } from './errors.js'

declare const brand: unique symbol

/** A string tagged with a compile-time brand `B`. */
export type Brand<T, B extends string> = T & { readonly [brand]: B }

/** Id of a conversation; also the `guid` of its Y.Doc (a UUID in practice). */
export type ConversationId = Brand<string, 'ConversationId'>
/** Id of a message, unique within its conversation. */
export type MessageId = Brand<string, 'MessageId'>
/** Id of a user (the Supabase `auth.uid()` in practice). */
export type UserId = Brand<string, 'UserId'>
/** Id of a device: one browser profile running one Parley engine. */
export type DeviceId = Brand<string, 'DeviceId'>
/**
 * A hybrid logical clock stamp, encoded so that string order equals clock order. Built by
 * `HybridLogicalClock` or validated with `isHlcStamp` / `parseHlcStamp` (see `hlc-stamp.ts`).
 */
export type HlcStamp = Brand<string, 'HlcStamp'>

/**
 * Characters allowed in every id: ASCII letters, digits, `_` and `-`, 1 to 128 of them. The
 * document uses `/` and `~` as key separators, so ids must never contain them.
 */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/

/** Whether `value` is a syntactically valid id of any kind (see {@link ID_PATTERN}). */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

function brandOrThrow<T extends string>(kind: string, value: string): T {
  if (!isValidId(value)) {
    throw new ParleyError(
      'invalid-argument',
      `${kind} must match ${String(ID_PATTERN)}, got ${JSON.stringify(value)}`,
    )
  }
  return value as T
}

/** Validates and brands a conversation id; throws a `ParleyError` (`invalid-argument`) if invalid. */
export function asConversationId(value: string): ConversationId {
  return brandOrThrow<ConversationId>('ConversationId', value)
}

/** Validates and brands a message id; throws a `ParleyError` (`invalid-argument`) if invalid. */
export function asMessageId(value: string): MessageId {
  return brandOrThrow<MessageId>('MessageId', value)
}

/** Validates and brands a user id; throws a `ParleyError` (`invalid-argument`) if invalid. */
export function asUserId(value: string): UserId {
  return brandOrThrow<UserId>('UserId', value)
}

/**
 * Validates and brands a device id; throws a `ParleyError` (`invalid-argument`) if invalid.
 * Device ids are limited to 64 characters because every HLC stamp carries one.
 */
export function asDeviceId(value: string): DeviceId {
  if (value.length > 64) {
    throw new ParleyError(
      'invalid-argument',
      `DeviceId must be at most 64 characters, got ${value.length}`,
    )
  }
  return brandOrThrow<DeviceId>('DeviceId', value)
}

/** Whether `value` is a valid message id. */
export function isMessageId(value: unknown): value is MessageId {
  return isValidId(value)
}

/** Whether `value` is a valid user id. */
export function isUserId(value: unknown): value is UserId {
  return isValidId(value)
}

/** Whether `value` is a valid device id (at most 64 characters). */
export function isDeviceId(value: unknown): value is DeviceId {
  return isValidId(value) && value.length <= 64
}

// Message ids are made in one place (`message-id.ts`); re-exported here, where they always were.
export { newMessageId } from './message-id.js'
