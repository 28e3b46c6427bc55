// @parley/supabase-emulator: a local Supabase subset (Auth, PostgREST, Realtime, Edge Functions)
// over real Postgres (embedded PGlite or a server) that the real supabase-js talks to. See
// docs/EMULATOR.md.
export {
  DEFAULT_FUNCTIONS_DIR,
  DEFAULT_MIGRATIONS_DIR,
  startSupabaseEmulator,
} from './start-supabase-emulator.js'
export type { SupabaseEmulator, SupabaseEmulatorOptions } from './start-supabase-emulator.js'
export { PARLEY_FUNCTIONS_DIR, PARLEY_MIGRATIONS_DIR } from './project/parley-migrations.js'
export { parseFunctionsConfig } from './project/functions-config.js'
export { createFunctionsHandler } from './functions/functions-handler.js'
export type { FunctionsHandler, FunctionsHandlerOptions } from './functions/functions-handler.js'
export type {
  EdgeFunctionConfig,
  EdgeFunctionsOptions,
} from './functions/edge-functions-options.js'
export { FunctionBootError, isFunctionBootError } from './functions/function-boot-error.js'
export type { FunctionBootErrorCode } from './functions/function-boot-error.js'
export { DEFAULT_SEED_PATHS, describeProject, discoverProject } from './project/discover-project.js'
export type { IgnoredEntry, SupabaseProject } from './project/discover-project.js'
export { initProject, minimalConfigToml } from './project/init-project.js'
export type { InitProjectOptions, InitProjectResult } from './project/init-project.js'
export { parseProjectConfig, PROJECT_CONFIG_KEYS } from './project/project-config.js'
export type { ProjectConfig } from './project/project-config.js'
export { isProjectError, ProjectError } from './project/project-error.js'
export type { ProjectErrorCode } from './project/project-error.js'
export { createEmulatorServer, DEFAULT_MAX_BODY_BYTES } from './server.js'
export type { EmulatorServerOptions, RealtimeEndpoint } from './server.js'
export { completeLogger, quietLogger } from './emulator-logger.js'
export type { EmulatorLogger } from './emulator-logger.js'
export {
  createApiKeys,
  DEFAULT_PUBLISHABLE_KEY,
  DEFAULT_SECRET_KEY,
  resolveApiKey,
} from './auth/api-keys.js'
export type { ApiKeys } from './auth/api-keys.js'
export { AuthError, isAuthError } from './auth/auth-error.js'
export type { AuthErrorCode } from './auth/auth-error.js'
export { createAuthHandler, DEFAULT_SITE_URL } from './auth/auth-handler.js'
export type { AuthHandlerOptions } from './auth/auth-handler.js'
export { Mailbox } from './auth/mailbox.js'
export type { MailAddress, MailboxOptions, MailMessage, OutgoingMail } from './auth/mailbox.js'
export { createMailHandler, MAIL_PATH_PREFIX } from './auth/mail-handler.js'
export {
  DEFAULT_ANON_KEY,
  DEFAULT_JWT_SECRET,
  deriveApiKeys,
  isJwtError,
  JwtError,
  signJwt,
  verifyJwt,
} from './auth/jwt.js'
export type { JwtClaims, JwtErrorCode } from './auth/jwt.js'
export { createRestHandler } from './rest/rest-handler.js'
export type { RestHandlerOptions } from './rest/rest-handler.js'
export { isPostgrestError, PostgrestError, statusForSqlState } from './rest/postgrest-error.js'
export { createSchemaCache } from './rest/schema-cache.js'
export type { SchemaCache } from './rest/schema-cache.js'
export { createRealtimeServer } from './realtime/realtime-server.js'
export type { RealtimeServer, RealtimeServerOptions } from './realtime/realtime-server.js'
export * from './db/index.js'
