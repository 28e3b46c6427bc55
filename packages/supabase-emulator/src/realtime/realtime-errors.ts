// Errors the Realtime emulator reports to its logger, and the reason strings Supabase Realtime
// puts on the wire (SUPABASE-PROTOCOL.md §1.5, §1.6, §1.10). Keeping the strings in one place
// makes it obvious which ones are copied from the real server's behaviour.

/** Why the emulator refused or dropped something. */
export type RealtimeErrorCode =
  | 'bad-frame'
  | 'bad-token'
  | 'unauthorized'
  | 'payload-too-large'
  | 'authorization-failed'
  | 'notify-malformed'
  | 'closed'

/** A failure inside the Realtime emulator, reported through the injected logger. */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError'
  constructor(
    readonly code: RealtimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Type guard for {@link RealtimeError}. */
export function isRealtimeError(error: unknown): error is RealtimeError {
  return error instanceof RealtimeError
}

/** Reason strings of `phx_join` error replies, `Code: message` as Realtime logs them. */
export const JOIN_REASON = {
  topicRequired: 'TopicNameRequired: You must provide a topic name',
  unauthorized: (subTopic: string) =>
    `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
  tooManyChannels: 'ChannelRateLimitReached: Too many channels',
  unknown: 'Unknown Error on Channel',
} as const

/** `system` messages that end a channel (always followed by `phx_close`). */
export const SYSTEM_MESSAGE = {
  readRevoked: (subTopic: string) =>
    `You no longer have permission to read from this Channel topic: ${subTopic}`,
  databaseUnavailable: 'Realtime was unable to connect to the project database',
  presenceRateLimit: 'Client presence rate limit exceeded',
  trackTooLarge: 'Track message size exceeded',
} as const

/** Body of the HTTP error that refuses a WebSocket upgrade (§1.5). */
export const CONNECT_ERROR = {
  missingKey: 'API key is missing',
} as const
