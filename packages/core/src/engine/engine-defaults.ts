// The engine's options with their defaults applied (documented on EngineOptions).
import { asConversationId, type ConversationId } from '../ids.js'
import type { EngineOptions } from './engine-options.js'

/** The tunables of an engine, every one set. */
export interface EngineSettings {
  maxOpenConversations: number
  compactAfter: number
  tailSize: number
  typingTimeoutMs: number
  deliveredDelayMs: number
  wallClock: () => number
  maxDriftMs: number
  newConversationId: () => ConversationId
}

/** Applies the defaults to `options`. */
export function engineSettings(options: EngineOptions): EngineSettings {
  return {
    maxOpenConversations: options.maxOpenConversations ?? 16,
    compactAfter: options.compactAfter ?? 500,
    tailSize: options.tailSize ?? 50,
    typingTimeoutMs: options.typingTimeoutMs ?? 5000,
    deliveredDelayMs: options.deliveredDelayMs ?? 100,
    wallClock: options.wallClock ?? Date.now,
    maxDriftMs: options.maxDriftMs ?? 60_000,
    newConversationId:
      options.newConversationId ?? (() => asConversationId(globalThis.crypto.randomUUID())),
  }
}
