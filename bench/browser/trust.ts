// The trust bench page: runs the measurement in a dedicated worker (where the engine runs in an
// app) and hands the timings to the driver.
import type { TrustBenchApi, TrustTimings } from './trust-api.js'

declare global {
  var trustBench: TrustBenchApi
}

globalThis.trustBench = {
  run(samples) {
    const worker = new Worker(new URL('./trust.worker.ts', import.meta.url), { type: 'module' })
    return new Promise<TrustTimings>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<TrustTimings>) => {
        worker.terminate()
        resolve(event.data)
      }
      worker.onerror = (event) => reject(new Error(event.message))
      worker.postMessage(samples)
    })
  },
}
