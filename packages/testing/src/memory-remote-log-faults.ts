// Fault injection and call counting of the memory server. Every call of every device passes
// through here, so a test can count calls, take the server offline, or make the next calls fail
// either before they take effect or after (a response lost on the way back).
import type { RemoteLog, RemoteLogErrorCode } from '@parley/core/ports'
import { failRemoteLog } from './fail-remote-log.js'
import type { MemoryRemoteLogServerState } from './memory-remote-log-server-state.js'

/** A fault to inject on the next matching calls, see {@link MemoryRemoteLogServer.failNext}. */
export interface MemoryRemoteLogFault {
  /** The error code the call rejects with. Default `'network'`. */
  code?: RemoteLogErrorCode
  /** Only calls of this method (`'push'`, `'pull'`…). Default: any method. */
  operation?: keyof RemoteLog
  /**
   * Apply the call first, then reject: a response lost on the way back (the server did the
   * work, the client saw a failure). Default false: rejected before it takes effect.
   */
  applied?: boolean
  /** How many calls fail. Default 1. */
  count?: number
}

/** The call gate of one memory server, see {@link createMemoryRemoteLogFaults}. */
export interface MemoryRemoteLogFaults {
  /** How many calls each method received (including failed ones). */
  readonly calls: Record<string, number>
  /** Queues `fault` behind the faults already armed. */
  arm(fault: MemoryRemoteLogFault): void
  /** Runs one call: counts it, applies faults, takes effect now, settles on a microtask. */
  call<T>(operation: string, work: () => T): Promise<T>
}

/** The call gate of the server holding `state`, with no fault armed. */
export function createMemoryRemoteLogFaults(
  state: MemoryRemoteLogServerState,
): MemoryRemoteLogFaults {
  const faults: {
    code: RemoteLogErrorCode
    operation?: string
    applied: boolean
    count: number
  }[] = []
  const calls: Record<string, number> = {}
  return {
    calls,
    arm(fault) {
      faults.push({
        code: fault.code ?? 'network',
        ...(fault.operation !== undefined && { operation: fault.operation }),
        applied: fault.applied ?? false,
        count: fault.count ?? 1,
      })
    },
    async call<T>(operation: string, work: () => T): Promise<T> {
      calls[operation] = (calls[operation] ?? 0) + 1
      await Promise.resolve()
      if (state.offline) failRemoteLog('network', 'the server is offline', operation)
      const index = faults.findIndex((f) => f.operation === undefined || f.operation === operation)
      const fault = index >= 0 ? faults[index] : undefined
      if (fault) {
        if (--fault.count <= 0) faults.splice(index, 1)
        if (fault.applied) work()
        failRemoteLog(
          fault.code,
          `injected ${fault.code}${fault.applied ? ' after applying' : ''}`,
          operation,
        )
      }
      return work()
    },
  }
}
