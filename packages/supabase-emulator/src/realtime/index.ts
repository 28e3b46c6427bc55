// Public surface of the Realtime emulator.
export { createRealtimeServer } from './realtime-server.js'
export type {
  RealtimeServer,
  RealtimeServerOptions,
  RealtimeServerStats,
} from './realtime-server.js'
export type { EventBroadcastRequest, RealtimeHttpResponse } from './rest-broadcast.js'
export { DEFAULT_REALTIME_LIMITS } from './realtime-context.js'
export type {
  RealtimeAuthorizationRequest,
  RealtimeAuthorizer,
  RealtimeLimits,
  RealtimeLogger,
} from './realtime-context.js'
export { RealtimeError, isRealtimeError } from './realtime-errors.js'
export type { RealtimeErrorCode } from './realtime-errors.js'
export type { RealtimeVsn } from './realtime-message.js'
