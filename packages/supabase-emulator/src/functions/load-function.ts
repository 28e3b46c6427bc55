// Boots one Edge Function: bundles it (bundle-function.ts), evaluates the bundle with the
// function's own bindings, and captures the handler it hands to `Deno.serve` (or its default
// export's `fetch`, the newer handler form the edge runtime also accepts).
import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { EmulatorLogger } from '../emulator-logger.js'
import { bundleFunction } from './bundle-function.js'
import {
  createFunctionBindings,
  type FunctionBindings,
  type ServeRegistration,
} from './function-bindings.js'
import { FunctionBootError } from './function-boot-error.js'
import { readImportMap } from './import-map.js'

/** Options of {@link loadFunction}. */
export interface LoadFunctionOptions {
  name: string
  entrypoint: string
  /** The import map or deno.json to apply, if any. */
  importMapFile: string | undefined
  /** Scratch folder for the bundle (removed files: the bundle is deleted once imported). */
  workDir: string
  /** `Deno.env` at boot. */
  env: Readonly<Record<string, string>>
  conditions: readonly string[]
  nodePaths: readonly string[]
  WebSocket: unknown
  addr: { hostname: string; port: number }
  logger: EmulatorLogger
}

/** A booted function. */
export interface LoadedFunction {
  registration: ServeRegistration
  /** Files whose change means the function must boot again. */
  sources: readonly string[]
  /** `Date.now()` when booting began: a source modified later is a change. */
  bootedAt: number
  /** Resolves the function's `Deno.serve(...).finished`. Idempotent. */
  close(): void
}

/** Where a bundle finds its bindings while it is evaluated (see the inject module below). */
const REGISTRY_KEY = Symbol.for('parley.supabase-emulator.function-bindings')

function registry(): Map<string, FunctionBindings> {
  const global = globalThis as { [REGISTRY_KEY]?: Map<string, FunctionBindings> }
  return (global[REGISTRY_KEY] ??= new Map())
}

/**
 * Boots a function.
 *
 * @throws {@link FunctionBootError}: `import_map_invalid`, `bundle_failed`, `module_failed` or
 *   `no_handler`.
 */
export async function loadFunction(options: LoadFunctionOptions): Promise<LoadedFunction> {
  const bootedAt = Date.now()
  const importMap = options.importMapFile ? await readImportMap(options.importMapFile) : undefined
  const id = randomUUID()
  const base = join(options.workDir, `${options.name}-${id}`)
  const injectFile = `${base}.inject.mjs`
  const outfile = `${base}.mjs`
  // The bundle's `Deno`, `EdgeRuntime` and `WebSocket` come from here: a lookup by this boot's
  // id, done once while the bundle is evaluated.
  await writeFile(
    injectFile,
    [
      `const bindings = globalThis[Symbol.for(${JSON.stringify(REGISTRY_KEY.description)})].get(${JSON.stringify(id)})`,
      'export const Deno = bindings.Deno',
      'export const EdgeRuntime = bindings.EdgeRuntime',
      'export const WebSocket = bindings.WebSocket',
      '',
    ].join('\n'),
  )
  let registration: ServeRegistration | undefined
  const handle = createFunctionBindings({
    name: options.name,
    env: options.env,
    WebSocket: options.WebSocket,
    addr: options.addr,
    logger: options.logger,
    onServe(next) {
      if (registration !== undefined) {
        options.logger.warn(
          `functions: ${options.name} called Deno.serve again; the first handler stays`,
        )
        return
      }
      registration = next
    },
  })
  try {
    const bundle = await bundleFunction({
      entrypoint: options.entrypoint,
      outfile,
      importMap,
      injectFile,
      conditions: options.conditions,
      nodePaths: options.nodePaths,
    })
    registry().set(id, handle.bindings)
    let module: { default?: unknown }
    try {
      module = (await import(/* @vite-ignore */ pathToFileURL(outfile).href)) as typeof module
    } catch (error) {
      throw new FunctionBootError(
        'module_failed',
        `${options.name}: evaluating ${options.entrypoint} threw: ${describe(error)}`,
        { cause: error },
      )
    } finally {
      registry().delete(id)
    }
    registration ??= defaultFetch(module.default)
    if (registration === undefined) {
      throw new FunctionBootError(
        'no_handler',
        `${options.name}: ${options.entrypoint} neither called Deno.serve(handler) nor exported ` +
          'a default { fetch(request) }',
      )
    }
    return { registration, sources: bundle.sources, bootedAt, close: handle.close }
  } catch (error) {
    handle.close()
    throw error
  } finally {
    await Promise.all([rm(injectFile, { force: true }), rm(outfile, { force: true })])
  }
}

/** `export default { fetch(request) { … } }`. */
function defaultFetch(value: unknown): ServeRegistration | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const fetch = (value as { fetch?: unknown }).fetch
  if (typeof fetch !== 'function') return undefined
  return {
    handler: (request, info) => (fetch as ServeRegistration['handler']).call(value, request, info),
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
