/**
 * `npm run build:bundle`: the production build in `dist/bundle/`, made with esbuild.
 *
 * Startup of the plain `tsc` output is dominated by module loading: hundreds of files from
 * node_modules, each resolved, read and compiled on its own. Here every entry point is
 * bundled with its dependencies, and code shared between entry points goes to
 * `dist/bundle/chunks/` (ESM code splitting), so each module is loaded once.
 *
 * The layout keeps the directory tree that app.ts hands to @fastify/autoload: every file of
 * plugins/ and routes/ is an entry point of its own, at the same relative path, so autoload
 * still discovers them at runtime (including its `autoPrefix`, `index` and folder-prefix
 * rules) and each is a small file that imports the shared chunks. Code loaded with `import()`
 * (gRPC, Redis, config parsers) becomes a chunk that is only read when it is used.
 *
 * Whitespace is removed (V8 reads every byte of a module before it runs; measured: ready
 * ~10% sooner), names are kept, so stack traces still name their functions; their positions
 * map back to the TypeScript sources with `node --enable-source-maps` (maps are linked).
 *
 * Kept out of the bundle (resolved from node_modules at runtime): optional native add-ons
 * that are not installed, and packages that read their own files next to their sources.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { build } from 'esbuild'

const ROOT = join(import.meta.dirname, '..')
const OUT = join(ROOT, 'dist/bundle')

function tsFiles (dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(ROOT, path)).isDirectory()) return tsFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

const entryPoints = ['server.ts', ...tsFiles('plugins'), ...tsFiles('routes')]

rmSync(OUT, { recursive: true, force: true })
const result = await build({
  absWorkingDir: ROOT,
  entryPoints,
  outdir: OUT,
  outbase: '.',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  external: [
    // optional native speed-ups of ws, absent unless installed
    'bufferutil',
    'utf-8-validate',
    // reads its static/ folder relative to its own sources (lib/swagger-ui.ts resolves it)
    '@fastify/swagger-ui'
  ]
})

// Data files looked up next to the output: the gRPC descriptor set (grpc/reflection.ts).
mkdirSync(join(OUT, 'proto'), { recursive: true })
const descriptorSet = join(ROOT, 'proto/podinfo.binpb')
if (existsSync(descriptorSet)) copyFileSync(descriptorSet, join(OUT, 'proto/podinfo.binpb'))

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'))
const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0)
process.stdout.write(`${relative(process.cwd(), OUT) || '.'}: ${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB of JavaScript\n`)
