/** Where the consumer app lives (outside the workspace; `PARLEY_CONSUMER_DIR` moves it). */
export declare const consumerAppDir: string

/** What {@link prepareConsumer} made. */
export interface ConsumerBuild {
  appDir: string
  /** The app's `vite build` output. */
  distDir: string
  /** One tarball per package, in `.parley-consumer/tarballs/`. */
  tarballs: string[]
  seconds: number
}

/**
 * Packs every package, installs the tarballs into the consumer app, typechecks and builds it
 * with the current VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY; each stage is skipped when its
 * inputs are unchanged (unless `force`). `build: false` stops after the install.
 */
export declare function prepareConsumer(options?: {
  force?: boolean
  build?: boolean
}): Promise<ConsumerBuild>

/** Serves the built app with `vite preview` on 127.0.0.1:`port`; resolves once it answers. */
export declare function startConsumerPreview(options: {
  port: number
}): Promise<{ url: string; close(): Promise<void> }>

/** The entry chunks and the Parley worker bundle of a build, relative to `distDir`. */
export declare function consumerChunks(distDir?: string): {
  entries: string[]
  workers: string[]
  assets: string[]
}
