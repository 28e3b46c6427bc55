// TEMPORARY scratch (deleted before the report).
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright'
import { build, preview } from 'vite'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import type { BenchApi, BuildResult } from './bench-api.js'
declare global { var bench: BenchApi }
const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url))
await build({ configFile, logLevel: 'warn', build: { minify: false } })
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 4329 } })
const url = 'http://127.0.0.1:4329/'
const browser = await chromium.launch({ headless: true, args: CHROMIUM_ARGS, executablePath: '/usr/bin/chromium' })
const context = await browser.newContext()
const open = async (): Promise<Page> => { const p = await context.newPage(); await p.goto(url); await p.waitForFunction(() => globalThis.bench !== undefined); return p }
async function attach(browser: Browser, type: string, part: string) {
  const cdp = await browser.newBrowserCDPSession()
  const { targetInfos } = await cdp.send('Target.getTargets')
  const t = targetInfos.find((x) => x.type === type && x.url.includes(part))!
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })
  let next = 1
  const waiting = new Map<number, (m: { result?: unknown }) => void>()
  cdp.on('Target.receivedMessageFromTarget', (e) => { const m = JSON.parse(e.message); if (m.id) waiting.get(m.id)?.(m) })
  return async (method: string, params = {}) => { const id = next++; const r = new Promise<{ result?: unknown }>((res) => waiting.set(id, res)); await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }); return (await r).result }
}
const READ = `(async () => {
  const db = await new Promise((res, rej) => { const r = indexedDB.open('parley-bench'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error) })
  const out = []
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now()
    const rows = await new Promise((res) => { const tx = db.transaction(['snapshots'], 'readonly'); const q = tx.objectStore('snapshots').getAll(); q.onsuccess = () => res(q.result) })
    const t1 = performance.now()
    const id = rows.find((r) => r.update.length > 1e6).conversationId
    const log = await new Promise((res) => { const tx = db.transaction(['log'], 'readonly'); const q = tx.objectStore('log').index('[conversationId+segment+key]').getAll(IDBKeyRange.bound([id, -Infinity, -Infinity], [id, Infinity, Infinity])); q.onsuccess = () => res(q.result) })
    const t2 = performance.now()
    const ob = await new Promise((res) => { const tx = db.transaction(['outbox'], 'readonly'); const q = tx.objectStore('outbox').index('conversationId').getAll(IDBKeyRange.only(id)); q.onsuccess = () => res(q.result) })
    const t3 = performance.now()
    const cnt = await new Promise((res) => { const tx = db.transaction(['log'], 'readonly'); const q = tx.objectStore('log').count(); q.onsuccess = () => res(q.result) })
    out.push('snap ' + (t1 - t0).toFixed(1) + ' log ' + (t2 - t1).toFixed(1) + '(' + log.length + '/' + cnt + ') outbox ' + (t3 - t2).toFixed(1) + '(' + ob.length + ')')
  }
  db.close()
  return out.join(' ')
})()`
const driver = await open()
const built = (await driver.evaluate(() => globalThis.bench.lab({ type: 'build', big: 20000, small: 100, evict: 16, batch: 1000 }))) as BuildResult
console.log('built', built.buildMs)
console.log('page:', await driver.evaluate(READ))
const callLab = await attach(browser, 'worker', 'lab.worker')
console.log('dedicated:', JSON.stringify(await callLab('Runtime.evaluate', { expression: READ, awaitPromise: true, returnByValue: true })))
const a = await open()
await a.evaluate(() => globalThis.bench.connect('parley-bench'))
const callShared = await attach(browser, 'shared_worker', 'parley.worker')
console.log('shared:', JSON.stringify(await callShared('Runtime.evaluate', { expression: READ, awaitPromise: true, returnByValue: true })))
await browser.close(); server.httpServer.close()
