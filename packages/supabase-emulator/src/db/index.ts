// The emulator's database layer: drivers, the Supabase bootstrap, migrations and Realtime
// authorization.
export type { Database, Queryable, QueryResult, RequestAuth } from './database.js'
export { DatabaseError, isDatabaseError, toDatabaseError } from './database-error.js'
export type { PostgresErrorFields } from './database-error.js'
export { openDatabase } from './open-database.js'
export type { DatabaseSpec, OpenDatabaseOptions } from './open-database.js'
export { createPgliteDatabase } from './pglite-database.js'
export type { PgliteDatabaseOptions } from './pglite-database.js'
export { createPostgresDatabase } from './postgres-database.js'
export type { PostgresDatabaseOptions } from './postgres-database.js'
export {
  BOOTSTRAP_SQL,
  REALTIME_NOTIFY_CHANNEL,
  REALTIME_NOTIFY_INLINE_LIMIT,
  bootstrapDatabase,
} from './bootstrap.js'
export { applyMigrations, applyProject, applySeed, listMigrations } from './apply-migrations.js'
export type { ApplyProjectResult, MigrationFile } from './apply-migrations.js'
export { splitSqlStatements } from './split-sql-statements.js'
export { authorizeRealtime } from './authorize-realtime.js'
export type {
  AuthorizeRealtimeOptions,
  RealtimeAuthorizationRequest,
} from './authorize-realtime.js'
export {
  isRealtimeNotification,
  parseRealtimeNotification,
  resolveRealtimeNotification,
} from './realtime-notification.js'
export type { RealtimeBroadcastRow, RealtimeNotification } from './realtime-notification.js'
