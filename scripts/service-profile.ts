// Builds the routes of a Linkerd ServiceProfile from a Swagger 2.0 / OpenAPI document the way
// `linkerd profile --open-api` does, and writes them to helm/podinfo/files/routes.json, which
// the chart's templates/linkerd.yaml renders (prefix applied there).
//
//   npx tsx scripts/service-profile.ts                 # from the app's own /swagger.json
//   npx tsx scripts/service-profile.ts swagger.json    # from a file ('-' reads stdin)
//   npx tsx scripts/service-profile.ts --check         # exit 1 if routes.json is stale
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const routesFile = join(resolve(fileURLToPath(new URL('..', import.meta.url))), 'helm', 'podinfo', 'files', 'routes.json')

export interface ResponseClass {
  condition: { status: { min: number, max: number } }
  isFailure?: boolean
}

export interface Route {
  name: string
  condition: { pathRegex: string, method: string }
  responseClasses?: ResponseClass[]
  isRetryable?: boolean
  timeout?: string
}

// The order linkerd emits methods in (go-openapi's PathItem has no TRACE).
const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const

/** Go's regexp.QuoteMeta: escapes exactly \.+*?()|[]{}^$ */
export function quoteMeta (s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')
}

/** linkerd's PathToRegex: quote, then every `{param}` (even inside a segment) matches `[^/]*`. */
export function pathToRegex (path: string): string {
  return quoteMeta(path).replace(/\\\{[^}]*\\\}/g, '[^/]*')
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Go encoding/json matches struct fields case-insensitively; with duplicates the last wins. */
function field (obj: Record<string, unknown>, name: string): unknown {
  let found: unknown
  for (const [k, v] of Object.entries(obj)) {
    if (k.toLowerCase() === name.toLowerCase()) found = v
  }
  return found
}

function responseClasses (responses: unknown): ResponseClass[] | undefined {
  if (!isObject(responses)) return undefined
  const codes: number[] = []
  for (const [key, value] of Object.entries(responses)) {
    if (key === 'default' || key.startsWith('x-')) continue
    if (!isObject(value)) throw new Error(`response ${key} is not an object`)
    if (/^[+-]?\d+$/.test(key)) codes.push(Number(key))
  }
  codes.sort((a, b) => a - b)
  const classes = codes.map((code): ResponseClass => ({
    condition: { status: { min: code, max: code } },
    ...(code >= 500 ? { isFailure: true } : {})
  }))
  return classes.length > 0 ? classes : undefined
}

/** The `spec.routes` of the ServiceProfile for a Swagger 2.0 or OpenAPI 3 document. */
export function openApiRoutes (doc: unknown): Route[] {
  if (!isObject(doc)) throw new Error('Error parsing OpenAPI spec: not an object')
  const basePath = field(doc, 'basePath')
  const base = (typeof basePath === 'string' ? basePath : '').replace(/\/+$/, '')
  const paths = field(doc, 'paths')
  if (!isObject(paths)) return []
  const keys = Object.keys(paths).filter((k) => k.startsWith('/')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const routes: Route[] = []
  for (const key of keys) {
    const item = paths[key]
    if (!isObject(item)) continue
    const path = base + '/' + key.replace(/^\/+/, '')
    const pathRegex = pathToRegex(path)
    for (const method of METHODS) {
      const op = field(item, method)
      if (op === undefined || op === null) continue
      if (!isObject(op)) throw new Error(`Error parsing OpenAPI spec: ${method} ${key} is not an object`)
      const route: Route = { name: `${method} ${path}`, condition: { pathRegex, method } }
      const classes = responseClasses(op.responses)
      if (classes) route.responseClasses = classes
      if (op['x-linkerd-retryable'] === true) route.isRetryable = true
      if (typeof op['x-linkerd-timeout'] === 'string' && op['x-linkerd-timeout'] !== '') route.timeout = op['x-linkerd-timeout']
      routes.push(route)
    }
  }
  return routes
}

export function formatRoutes (routes: Route[]): string {
  return JSON.stringify(routes, null, 2) + '\n'
}

/** The swagger.json the app serves with its default configuration (prefix `/`). */
export async function appSwagger (): Promise<unknown> {
  const { build } = await import('../test/helper.js')
  const cleanups: Array<() => unknown> = []
  const context = { after: (fn: () => unknown) => { cleanups.push(fn) } }
  const app = await build(context as unknown as Parameters<typeof build>[0])
  try {
    const res = await app.inject('/swagger.json')
    if (res.statusCode !== 200) throw new Error(`GET /swagger.json answered ${res.statusCode}`)
    return res.json()
  } finally {
    for (const fn of cleanups) await fn()
  }
}

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  const input = args.find((a) => a !== '--check')
  const doc = input === undefined
    ? await appSwagger()
    : JSON.parse(input === '-' ? await readStdin() : await readFile(input, 'utf8'))
  const text = formatRoutes(openApiRoutes(doc))
  if (check) {
    const current = await readFile(routesFile, 'utf8').catch(() => '')
    if (current !== text) {
      process.stderr.write(`${routesFile} is stale: run npx tsx scripts/service-profile.ts\n`)
      process.exit(1)
    }
  } else {
    await writeFile(routesFile, text)
    process.stderr.write(`wrote ${openApiRoutes(doc).length} routes to ${routesFile}\n`)
  }
}
