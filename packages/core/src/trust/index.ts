// Trust (docs/TRUST.md): the rules every replica and the compactor run, device signatures.
export { checkUpdate } from './update-rules.js'
export { UpdateGate, type Admission, type UpdateGateHandlers } from './update-gate.js'
export { DeviceDirectory, type DirectoryDevice } from './device-directory.js'
export { compactLog, type CompactLogInput, type CompactLogResult } from './compact-log.js'
export {
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  createDeviceKeyPair,
  importDevicePublicKey,
  signUpdate,
  signedUpdateBytes,
  verifyUpdate,
  type DeviceCryptoKey,
  type DeviceKeyPair,
} from './signed-update.js'
export type { RuleVerdict, RuleViolation, TrustDirectory, UpdateSender } from './trust-types.js'
