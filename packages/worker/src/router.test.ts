// The router: only declared method names get through, they reach the current target with their
// arguments (listeners included), and a call without a target is refused with a typed error.
// Everything settles on microtasks; no timers.
import { describe, expect, it } from 'vitest'
import { ENGINE_ACTIONS, type ConversationSummary, type SyncStatus } from '@parley/core'
import { createHostCore } from './host.js'
import {
  HOST_API_METHODS,
  HostError,
  isHostError,
  type HostEngineApi,
  type HostListener,
  type ParleyHostApi,
} from './host-api.js'
import { createRouter, type MethodTable } from './router.js'

interface Api {
  echo(text: string, times: number): Promise<string>
  watch(tabId: string, listener: HostListener<number>): Promise<string>
}

const METHODS: MethodTable<Api> = { echo: { kind: 'call' }, watch: { kind: 'subscribe' } }

function target(): Api & { calls: unknown[][] } {
  const calls: unknown[][] = []
  return {
    calls,
    async echo(text, times) {
      calls.push(['echo', text, times])
      return text.repeat(times)
    },
    async watch(tabId, listener) {
      calls.push(['watch', tabId])
      listener(1)
      listener(2)
      return `sub-${tabId}`
    },
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

const missing = (): HostError => new HostError('not-initialized', 'call init() first')

describe('createRouter', () => {
  it('offers exactly the declared methods', () => {
    const router = createRouter<Api>({ methods: METHODS, target: () => target(), missing })
    expect(Object.keys(router.api).sort()).toEqual(['echo', 'watch'])
  })

  it('sends a declared call to the target with its arguments and result', async () => {
    const api = target()
    const router = createRouter<Api>({ methods: METHODS, target: () => api, missing })
    expect(await router.api.echo('ab', 2)).toBe('abab')
    expect(await router.call('echo', ['x', 3])).toBe('xxx')
    expect(api.calls).toEqual([
      ['echo', 'ab', 2],
      ['echo', 'x', 3],
    ])
  })

  it('refuses undeclared names with a typed error, inherited ones included', async () => {
    const api = target()
    const router = createRouter<Api>({ methods: METHODS, target: () => api, missing })
    for (const name of ['calls', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '']) {
      const error = await rejection(router.call(name, []))
      expect(isHostError(error)).toBe(true)
      expect(error).toMatchObject({ name: 'HostError', code: 'unknown-method' })
    }
    expect(api.calls).toEqual([])
  })

  it('passes a subscription listener through to the target', async () => {
    const api = target()
    const router = createRouter<Api>({ methods: METHODS, target: () => api, missing })
    const seen: number[] = []
    expect(await router.api.watch('tab-1', (value) => seen.push(value))).toBe('sub-tab-1')
    expect(seen).toEqual([1, 2])
    const viaCall: unknown[] = []
    await router.call('watch', ['tab-2', (value: unknown) => viaCall.push(value)])
    expect(viaCall).toEqual([1, 2])
  })

  it('refuses a call while there is no target with the given error, and follows the target', async () => {
    let current: Api | undefined
    const router = createRouter<Api>({ methods: METHODS, target: () => current, missing })
    const error = await rejection(router.api.echo('a', 1))
    expect(error).toMatchObject({ name: 'HostError', code: 'not-initialized' })
    current = target()
    expect(await router.api.echo('a', 1)).toBe('a')
    current = undefined
    expect(await rejection(router.call('echo', ['a', 1]))).toBeInstanceOf(HostError)
  })

  it('turns a synchronous throw of the target into a rejection', async () => {
    const router = createRouter<Api>({
      methods: METHODS,
      target: () => ({
        echo: () => {
          throw new TypeError('boom')
        },
        watch: async () => 'never',
      }),
      missing,
    })
    const call = router.api.echo('a', 1)
    expect(await rejection(call)).toBeInstanceOf(TypeError)
  })
})

describe('the declared host API', () => {
  it('lists every engine action, and the host calls', () => {
    for (const name of Object.keys(ENGINE_ACTIONS)) expect(HOST_API_METHODS).toHaveProperty(name)
    expect(HOST_API_METHODS.subscribeAuth.kind).toBe('subscribe')
    expect(HOST_API_METHODS.subscribeConversation.kind).toBe('subscribe')
    expect(HOST_API_METHODS.send.kind).toBe('call')
  })

  it('routes the engine actions of a fake engine API, listeners included', async () => {
    const status: SyncStatus = {
      state: 'online',
      pending: 0,
      unsaved: 0,
      failed: 0,
      lastSyncedAt: {},
    }
    const engineApi: Pick<HostEngineApi, 'listConversations' | 'subscribeSyncStatus'> = {
      listConversations: async (limit) => [{ id: `limit-${String(limit)}` } as ConversationSummary],
      subscribeSyncStatus: async (tabId, listener) => {
        listener(status)
        return `status-${tabId}`
      },
    }
    const router = createRouter<typeof engineApi>({
      methods: {
        listConversations: ENGINE_ACTIONS.listConversations,
        subscribeSyncStatus: ENGINE_ACTIONS.subscribeSyncStatus,
      },
      target: () => engineApi,
      missing: () => new HostError('not-signed-in', 'sign in first'),
    })
    expect((await router.api.listConversations(2))[0]?.id).toBe('limit-2')
    const pushed: SyncStatus[] = []
    expect(await router.api.subscribeSyncStatus('t1', (s) => pushed.push(s))).toBe('status-t1')
    expect(pushed).toEqual([status])
  })

  it('refuses calls before init with not-initialized (the host router)', async () => {
    const core = createHostCore({
      kind: 'shared',
      locks: undefined,
      createStorage: () => {
        throw new Error('not opened before init')
      },
    })
    const api: ParleyHostApi = core.api
    expect(await rejection(api.listConversations())).toMatchObject({
      name: 'HostError',
      code: 'not-initialized',
    })
    expect(await rejection(api.syncStatus())).toMatchObject({ code: 'not-initialized' })
    await core.close()
  })
})
