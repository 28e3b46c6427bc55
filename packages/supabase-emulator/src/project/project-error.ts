// Why an app's `supabase/` folder could not be read or set up. The CLI turns these into one clear
// line and a non-zero exit; library callers branch on `code`.

/** What went wrong with an app's `supabase/` folder. */
export type ProjectErrorCode =
  /** `config.toml` is not valid TOML, or a key the emulator reads has the wrong type or range. */
  | 'invalid_config'
  /** `init` found a migration or function file of that name with other content (no `force`). */
  | 'migration_conflict'
  /** The package carries no Parley migrations (a tarball packed without `copy-schema`). */
  | 'schema_missing'
  /** The app folder is missing or is not a directory. */
  | 'invalid_directory'

/** A problem with an app's `supabase/` folder or with the schema Parley ships. */
export class ProjectError extends Error {
  override readonly name = 'ProjectError'
  constructor(
    readonly code: ProjectErrorCode,
    message: string,
    /** Files involved (conflicting migrations, the config file), absolute paths. */
    readonly files: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Type guard for {@link ProjectError}. */
export function isProjectError(error: unknown): error is ProjectError {
  return error instanceof ProjectError
}
