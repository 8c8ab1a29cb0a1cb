/**
 * The routes of a Linkerd ServiceProfile, computed from a Swagger 2.0 or OpenAPI 3 document
 * exactly as `linkerd profile --open-api` does it (linkerd2 `pkg/profiles/openapi.go` on
 * go-openapi's `spec.Swagger`), and the proxy's rule for picking a route. Pure functions.
 */

export interface ResponseClass {
  condition: { status: { min: number, max: number } }
  isFailure?: boolean
}

export interface ServiceProfileRoute {
  /** `<METHOD> <basePath + path>`, braces kept. */
  name: string
  condition: { pathRegex: string, method: string }
  responseClasses?: ResponseClass[]
  isRetryable?: boolean
  timeout?: string
}

/** The order linkerd emits methods in; go-openapi's PathItem has no TRACE. */
export const LINKERD_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const

type Json = Record<string, unknown>

function isObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Go's `regexp.QuoteMeta`: escapes exactly `\.+*?()|[]{}^$`. */
export function quoteMeta (text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')
}

/** linkerd's `PathToRegex`: quote the path, then every `{param}` (even mid-segment) → `[^/]*`. */
export function pathToRegex (path: string): string {
  return quoteMeta(path).replace(/\\\{[^}]*\\\}/g, '[^/]*')
}

/** Go's encoding/json matches struct fields case-insensitively; with duplicates the last wins. */
function field (obj: Json, name: string): unknown {
  const lower = name.toLowerCase()
  let found: unknown
  for (const [key, value] of Object.entries(obj)) if (key.toLowerCase() === lower) found = value
  return found
}

/** Go's `strconv.Atoi` on a response key: optional sign, decimal digits, int64 range. */
function atoi (key: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(key)) return undefined
  const n = BigInt(key)
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined
  return Number(n)
}

function responseClasses (responses: unknown): ResponseClass[] | undefined {
  if (responses === undefined || responses === null) return undefined
  if (!isObject(responses)) throw new Error('Error parsing OpenAPI spec: responses is not an object')
  const codes: number[] = []
  for (const [key, value] of Object.entries(responses)) {
    if (key === 'default' || key.startsWith('x-')) continue
    if (!isObject(value)) throw new Error(`Error parsing OpenAPI spec: response ${key} is not an object`)
    const code = atoi(key)
    if (code !== undefined) codes.push(code)
  }
  codes.sort((a, b) => a - b)
  const classes = codes.map((code): ResponseClass => code >= 500
    ? { condition: { status: { min: code, max: code } }, isFailure: true }
    : { condition: { status: { min: code, max: code } } })
  return classes.length > 0 ? classes : undefined
}

/**
 * `spec.routes` of the ServiceProfile `linkerd profile --open-api <doc>` writes: path keys
 * that start with `/`, sorted byte-wise; `path = TrimRight(basePath, "/") + "/" +
 * TrimLeft(key, "/")`; the regex is `QuoteMeta(path)` with every `{param}` → `[^/]*`; one
 * route per operation, in the order DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT; response
 * classes from numeric response keys (5xx are failures); `x-linkerd-retryable: true` and
 * `x-linkerd-timeout: "<duration>"` copied. Throws where linkerd rejects the document.
 */
export function serviceProfileRoutes (doc: unknown): ServiceProfileRoute[] {
  if (!isObject(doc)) throw new Error('Error parsing OpenAPI spec: not an object')
  const basePath = field(doc, 'basePath')
  const base = (typeof basePath === 'string' ? basePath : '').replace(/\/+$/, '')
  const paths = field(doc, 'paths')
  if (!isObject(paths)) return []
  const keys = Object.keys(paths).filter((key) => key.startsWith('/')).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const routes: ServiceProfileRoute[] = []
  for (const key of keys) {
    const item = paths[key]
    if (!isObject(item)) continue
    const path = base + '/' + key.replace(/^\/+/, '')
    const pathRegex = pathToRegex(path)
    for (const method of LINKERD_METHODS) {
      const op = field(item, method)
      if (op === undefined || op === null) continue
      if (!isObject(op)) throw new Error(`Error parsing OpenAPI spec: ${method} ${key} is not an object`)
      const route: ServiceProfileRoute = { name: `${method} ${path}`, condition: { pathRegex, method } }
      const classes = responseClasses(op.responses)
      if (classes !== undefined) route.responseClasses = classes
      if (op['x-linkerd-retryable'] === true) route.isRetryable = true
      const timeout = op['x-linkerd-timeout']
      if (typeof timeout === 'string' && timeout !== '') route.timeout = timeout
      routes.push(route)
    }
  }
  return routes
}

/**
 * The routes the Linkerd proxy would consider for a request: the regex is anchored and
 * matched against the path alone (no query), the method must be equal. The proxy uses the
 * first one; more than one means the profile is ambiguous.
 */
export function matchingRoutes (routes: ServiceProfileRoute[], method: string, path: string): ServiceProfileRoute[] {
  return routes.filter((route) => route.condition.method === method &&
    new RegExp('^(?:' + route.condition.pathRegex + ')$').test(path))
}
