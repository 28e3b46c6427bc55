// Turns an Edge Function written for Deno into one ES module Node can import, with esbuild:
// TypeScript is compiled, `npm:`/`jsr:` specifiers and the function's import map are resolved to
// packages in node_modules, and everything but Node's built-ins (and Yjs, see SHARED_PACKAGES) is
// bundled in. One bundle per function mirrors the edge runtime, where each function is an isolate
// with its own module graph.
//
// Deno's globals reach the bundle through esbuild's `inject`: free references to `Deno`,
// `EdgeRuntime` and `WebSocket` anywhere in the bundle (libraries included: realtime-js looks for
// a `WebSocket`, which Node 20 lacks) become the function's own bindings, so two functions, or
// two emulators in one process, never share a `Deno.env`. Nothing is installed on `globalThis`.
import { resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BuildFailure, Message, OnResolveResult, Plugin, PluginBuild } from 'esbuild'
import { FunctionBootError } from './function-boot-error.js'
import { applyImportMap, type ImportMap } from './import-map.js'

/** Options of {@link bundleFunction}. */
export interface BundleFunctionOptions {
  /** The function's module (`index.ts`). */
  entrypoint: string
  /** Where the bundle is written (`.mjs`). */
  outfile: string
  /** The function's import map, if it has one. */
  importMap: ImportMap | undefined
  /** A module exporting `Deno`, `EdgeRuntime` and `WebSocket` (see the file comment). */
  injectFile: string
  /** Extra package.json export conditions (`source` inside the Parley monorepo). */
  conditions: readonly string[]
  /** Folders searched for bare imports that do not resolve from the function's own folder. */
  nodePaths: readonly string[]
}

/** A written bundle. */
export interface FunctionBundle {
  file: string
  /**
   * The function's own source files (not those under node_modules) and its import map: when one
   * of them changes, the function is bundled again.
   */
  sources: string[]
}

// CommonJS packages inside an ES module bundle still call `require` (for Node's built-ins) and
// read `__dirname`: give them both. esbuild renames modules' own top-level declarations of these
// names, so the banner cannot clash with bundled code.
const BANNER = [
  "import { createRequire as __parleyCreateRequire } from 'node:module';",
  "import { fileURLToPath as __parleyFileURLToPath } from 'node:url';",
  'const require = __parleyCreateRequire(import.meta.url);',
  'const __filename = __parleyFileURLToPath(import.meta.url);',
  "const __dirname = __parleyFileURLToPath(new URL('.', import.meta.url));",
].join('\n')

/**
 * Bundles one function.
 *
 * @throws {@link FunctionBootError} `bundle_failed` with esbuild's messages (file:line: text).
 */
export async function bundleFunction(options: BundleFunctionOptions): Promise<FunctionBundle> {
  // Loaded on first use: an emulator whose functions are never called never starts esbuild.
  const esbuild = await import('esbuild')
  let metafile
  try {
    ;({ metafile } = await esbuild.build({
      entryPoints: [options.entrypoint],
      outfile: options.outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: [...options.conditions],
      nodePaths: [...options.nodePaths],
      inject: [options.injectFile],
      banner: { js: BANNER },
      sourcemap: 'inline',
      metafile: true,
      write: true,
      logLevel: 'silent',
      plugins: [denoSpecifiers(options.importMap)],
    }))
  } catch (error) {
    const messages = isBuildFailure(error) ? error.errors.map(describeMessage) : []
    throw new FunctionBootError(
      'bundle_failed',
      messages.length > 0
        ? `cannot bundle ${options.entrypoint}:\n${messages.join('\n')}`
        : `cannot bundle ${options.entrypoint}`,
      { cause: error },
    )
  }
  const sources = Object.keys(metafile.inputs)
    .filter((input) => !/^[a-z-]+:/.test(input)) // plugin namespaces (`deno-types:…`)
    .map((input) => resolve(input)) // relative to esbuild's working directory, the cwd
    .filter((file) => !file.includes(`${sep}node_modules${sep}`) && file !== options.injectFile)
  if (options.importMap) sources.push(options.importMap.file)
  return { file: options.outfile, sources }
}

const MAPPED = Symbol('mapped')

/**
 * Packages that must exist once per process: they are left out of the bundle and imported from
 * node_modules, shared by every function and the host. Yjs warns ("Yjs was already imported")
 * and breaks `instanceof` checks when a second copy loads; in the edge runtime each function is
 * its own isolate, here they share one Node process.
 */
const SHARED_PACKAGES: ReadonlySet<string> = new Set(['yjs'])

/**
 * Resolves what Deno resolves and Node does not: the import map (for the function's own files,
 * not for packages), `npm:` and `jsr:` specifiers (to the installed package; the version in the
 * specifier is not checked), and type-only `.d.ts` imports (to nothing). URL imports are refused
 * with advice, as there is no network fetch at bundle time.
 */
function denoSpecifiers(importMap: ImportMap | undefined): Plugin {
  return {
    name: 'parley-deno-specifiers',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as Record<symbol, unknown> | undefined)?.[MAPPED]) return undefined
        if (args.kind === 'entry-point' || args.importer === '') return undefined
        const inPackage = args.importer.includes(`${sep}node_modules${sep}`)
        const mapped =
          importMap && !inPackage ? applyImportMap(importMap, args.path, args.importer) : undefined
        let specifier = mapped ?? args.path
        if (/\.d\.[cm]?ts$/.test(specifier)) return { path: specifier, namespace: 'deno-types' }
        if (specifier.startsWith('jsr:')) return resolveJsr(build, specifier, args)
        if (/^https?:/.test(specifier)) {
          return {
            errors: [
              {
                text:
                  `URL imports are not supported by the emulator: ${specifier}. Map the module to ` +
                  'an npm: package in deno.json (and install it), or import the package by name.',
              },
            ],
          }
        }
        if (specifier.startsWith('npm:')) {
          const bare = npmPackage(specifier)
          if (bare === undefined)
            return { errors: [{ text: `Invalid npm: specifier ${specifier}` }] }
          specifier = bare
        }
        if (SHARED_PACKAGES.has(packageName(specifier))) {
          const shared = await resolveAs(build, specifier, args)
          if (shared.errors?.length || shared.path === undefined) return shared
          return { path: pathToFileURL(shared.path).href, external: true }
        }
        return specifier === args.path ? undefined : resolveAs(build, specifier, args)
      })
      build.onLoad({ filter: /.*/, namespace: 'deno-types' }, () => ({
        contents: '',
        loader: 'js',
      }))
    },
  }
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; a path stays a path. */
function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '')
}

type ResolveArgs = Parameters<Parameters<PluginBuild['onResolve']>[1]>[0]

async function resolveAs(
  build: PluginBuild,
  specifier: string,
  args: ResolveArgs,
): Promise<OnResolveResult> {
  const result = await build.resolve(specifier, {
    kind: args.kind,
    importer: args.importer,
    resolveDir: args.resolveDir,
    pluginData: { [MAPPED]: true },
  })
  if (result.errors.length > 0) return { errors: result.errors }
  return {
    path: result.path,
    external: result.external,
    namespace: result.namespace,
    sideEffects: result.sideEffects,
    suffix: result.suffix,
  }
}

/** `jsr:@std/path@1/posix` → `@std/path/posix`, else npm's mirror `@jsr/std__path/posix`. */
async function resolveJsr(
  build: PluginBuild,
  specifier: string,
  args: ResolveArgs,
): Promise<OnResolveResult> {
  const match = /^jsr:\/?@([^/@]+)\/([^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(specifier)
  if (!match) return { errors: [{ text: `Invalid jsr: specifier ${specifier}` }] }
  const [, scope, name, subpath = ''] = match
  const direct = await resolveAs(build, `@${scope}/${name}${subpath}`, args)
  if (!direct.errors?.length) return direct
  const mirror = await resolveAs(build, `@jsr/${scope}__${name}${subpath}`, args)
  if (!mirror.errors?.length) return mirror
  return {
    errors: [
      {
        text:
          `Cannot resolve ${specifier}: install it from JSR's npm mirror ` +
          `(\`npx jsr add @${scope}/${name}\`, which installs @jsr/${scope}__${name}).`,
      },
    ],
  }
}

/** `npm:@supabase/supabase-js@2/cors` → `@supabase/supabase-js/cors`; `npm:yjs@^13` → `yjs`. */
export function npmPackage(specifier: string): string | undefined {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(specifier)
  return match ? `${match[1]}${match[2] ?? ''}` : undefined
}

function describeMessage(message: Message): string {
  const where = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column}: `
    : ''
  return `  ${where}${message.text}`
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors)
}
