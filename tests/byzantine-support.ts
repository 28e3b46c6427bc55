// What the byzantine fuzz needs from @parley/core, including two internals (the layout's root
// accessor and the remote transaction origin), gathered so the test reads as a scenario.
export {
  ConversationDoc,
  DeviceDirectory,
  UpdateGate,
  type UpdateSender,
  type UserId,
} from '@parley/core'
export { docRoots as docRootsForTests } from '../packages/core/src/doc-layout.js'
export { remoteOrigin as remoteOriginForTests } from '../packages/core/src/transaction-origin.js'
