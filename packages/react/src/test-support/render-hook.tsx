// A minimal renderHook for tests: mounts a component that calls the hook inside a
// ParleyProvider (into a happy-dom document) and exposes the latest result.
import { act, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import { ParleyProvider } from '../parley-provider.js'
import type { ParleyClientLike } from '../parley-client-like.js'

// Tells React that updates are wrapped in act(), as a test runner would.
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

/** A mounted hook. */
export interface RenderedHook<P, R> {
  /** The hook's latest return value. */
  readonly result: { current: R }
  /** Renders again with new props. */
  rerender(props: P): Promise<void>
  /** Unmounts the component (and with it every subscription it held). */
  unmount(): Promise<void>
}

/** Lets pending microtasks and the resulting React updates run. */
export async function flush(): Promise<void> {
  await act(async () => {
    await new Promise<void>((resolve) => setTimeout(resolve, 0))
  })
}

/** Mounts `hook` with `props` under a provider for `client`, then flushes. */
export async function renderHook<P, R>(
  hook: (props: P) => R,
  props: P,
  options: { client?: ParleyClientLike; onError?: (error: Error) => void } = {},
): Promise<RenderedHook<P, R>> {
  const result = { current: undefined as R }
  function Probe({ hookProps }: { hookProps: P }): ReactNode {
    result.current = hook(hookProps)
    return null
  }
  const root = createRoot(document.createElement('div'))
  const element = (hookProps: P): ReactNode =>
    options.client === undefined ? (
      <Probe hookProps={hookProps} />
    ) : (
      <ParleyProvider client={options.client} onError={options.onError}>
        <Probe hookProps={hookProps} />
      </ParleyProvider>
    )
  await act(async () => root.render(element(props)))
  await flush()
  return {
    result,
    async rerender(next: P) {
      await act(async () => root.render(element(next)))
      await flush()
    },
    async unmount() {
      await act(async () => root.unmount())
    },
  }
}

/** Runs `fn` (which may update React state) inside act() and returns its result. */
export async function inAct<T>(fn: () => T | Promise<T>): Promise<T> {
  let out: T | undefined
  await act(async () => {
    out = await fn()
  })
  return out as T
}
