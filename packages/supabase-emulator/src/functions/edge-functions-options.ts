// What the emulator needs to serve an app's Edge Functions: the `supabase/functions` folder, the
// `[functions.<name>]` sections of config.toml, and the secrets functions read with `Deno.env`.

/**
 * Settings of one function, as `[functions.<name>]` in `supabase/config.toml` holds them
 * (SUPABASE-PROTOCOL-2.md §2.4). Every field is optional; absent means the CLI's default.
 */
export interface EdgeFunctionConfig {
  /** `enabled`: `false` hides the function (404 as if it did not exist). Default `true`. */
  enabled?: boolean
  /**
   * `verify_jwt`: requests need `Authorization: Bearer <JWT>` signed for this project (the anon
   * or service_role key, or a user's access token), else 401. Default `true`.
   */
  verifyJwt?: boolean
  /** `import_map`: absolute path of the `deno.json` or import map. Default: looked up (below). */
  importMap?: string
  /** `entrypoint`: absolute path of the module. Default `<dir>/<name>/index.ts`. */
  entrypoint?: string
}

/**
 * Options of the Edge Functions service (`startSupabaseEmulator({ functions })`).
 *
 * A function is every `<dir>/<name>/index.ts` whose name matches `^[A-Za-z][A-Za-z0-9_-]*$`, plus
 * every name in {@link functions} with an `entrypoint`. Folders starting with `_` or `.` hold
 * shared code and are never functions.
 */
export interface EdgeFunctionsOptions {
  /** The `supabase/functions` folder. It may be missing (every function is then a 404). */
  dir: string
  /** Per-function settings (config.toml `[functions.<name>]`). Default: none. */
  functions?: Readonly<Record<string, EdgeFunctionConfig>>
  /**
   * Secrets every function sees in `Deno.env`, on top of {@link envFile} (these win). Names
   * starting with `SUPABASE_` are reserved, as in the Supabase CLI, and skipped. Default: none.
   */
  env?: Readonly<Record<string, string>>
  /**
   * A dotenv file of secrets, read each time a function boots. Default `<dir>/.env` (a missing
   * file is fine); `false` for none.
   */
  envFile?: string | false
  /**
   * `false` turns the JWT check off for every function, like `supabase functions serve
   * --no-verify-jwt`. Default: each function's {@link EdgeFunctionConfig.verifyJwt}.
   */
  verifyJwt?: boolean
}
