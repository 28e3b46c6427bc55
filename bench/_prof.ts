import { ConversationDoc, STORAGE_ORIGIN } from '@parley/core'
const d = new ConversationDoc({ id: 'c', user: 'u', device: 'd' })
let t0 = performance.now()
for (let i = 0; i < 20000; i++) { d.send({ text: 'x'.repeat(80) }); if (i % 5000 === 4999) { console.log(i, (performance.now() - t0).toFixed(1)); t0 = performance.now() } }
t0 = performance.now()
const s = d.encodeStateAsUpdate()
console.log('encode', performance.now() - t0)
t0 = performance.now()
const e = new ConversationDoc({ id: 'c', user: 'u', device: 'd' })
console.log(e.applyUpdate(s, STORAGE_ORIGIN), e.size, 'load', performance.now() - t0)
