export { createDexieStorage, type DexieStorageOptions } from './create-dexie-storage.js'
export { deleteDexieStorage, type DeleteDexieStorageOptions } from './delete-dexie-storage.js'
export { DEXIE_SCHEMA_VERSION } from './dexie-schema.js'
export { toStorageError } from './to-storage-error.js'
export {
  createYIndexeddbStorage,
  type YIndexeddbStorageOptions,
} from './create-y-indexeddb-storage.js'
