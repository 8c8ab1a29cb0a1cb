import FindMyWay from 'find-my-way'
import type { IncomingMessage } from 'node:http'
import { cleanPath, escapePath } from './paths.js'

/**
 * podinfo's routing rules that Fastify does not have (spec §4.1): the 301 path-cleaning
 * redirect that happens before routing, matching on the decoded path, and 405 for a path
 * that some route serves with another method.
 */
export class MuxRules {
  // Every path pattern once, whatever its methods: the methods are the route's store. (One
  // entry per method and pattern took 17 ms of a startup profile: any-method routes have 34.)
  readonly #patterns = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true })
  readonly #methods = new Map<string, Set<string>>()
  readonly #redirects = new WeakMap<IncomingMessage, string>()

  /** Remember a route (called from an onRoute hook) so 405 can be told from 404. */
  addRoute (method: string, url: string): void {
    let methods = this.#methods.get(url)
    if (methods === undefined) {
      methods = new Set()
      this.#methods.set(url, methods)
      this.#patterns.on('GET', url, noop, methods)
    }
    methods.add(method)
  }

  /**
   * True when another method than the request's would have matched this path. Only the most
   * specific pattern is looked at: had it served this method, the request would have been
   * routed there.
   */
  otherMethodMatches (method: string, path: string): boolean {
    const found = this.#patterns.find('GET', path)
    if (found === null) return false
    for (const m of found.store as Set<string>) if (m !== method) return true
    return false
  }

  /**
   * Fastify's `rewriteUrl`: routes on the decoded path, and sends unclean paths to the
   * not-found handler with the redirect target remembered.
   */
  rewrite (req: IncomingMessage): string {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const rawPath = q === -1 ? url : url.slice(0, q)
    if (!UNUSUAL.test(rawPath) && rawPath[0] === '/') return url
    let decoded: string
    try {
      decoded = decodeURIComponent(rawPath)
    } catch {
      return url // malformed escapes: route the raw path (it will not match)
    }
    const clean = cleanPath(decoded)
    if (clean !== decoded || rawPath[0] !== '/') {
      this.#redirects.set(req, escapePath(clean) + (q === -1 ? '' : url.slice(q)))
      return REDIRECT_MARKER
    }
    // Route on the decoded path, as gorilla/mux does: `%2F` becomes a real separator.
    return routerPath(decoded) + (q === -1 ? '' : url.slice(q))
  }

  /** The Location of a pending path-cleaning redirect for this request, if any. */
  redirectFor (req: IncomingMessage): string | undefined {
    return this.#redirects.get(req)
  }
}

// Paths with escapes, dot segments or double slashes need the slow path.
const UNUSUAL = /%|\/\.|\/\//
// A path no route can match, so Fastify hands the request to the not-found handler.
const REDIRECT_MARKER = '/\u0000redirect'

function routerPath (decoded: string): string {
  return decoded.replace(/[%?#]/g, (c) => encodeURIComponent(c))
}

function noop (): void {}
