import http from 'node:http'
import https from 'node:https'
import { type CliContext, withRetries } from './context.js'
import { goNetError, joinHostPort, type NetError } from './go-errors.js'
import { goQuote } from './cobra.js'

export interface CheckHttpOptions {
  method: string
  body: string
  retry: number
  delay: number
  timeout: number
}

interface HttpResult {
  status: number
  contentLength: number
}

/** An attempt that can never succeed (bad URL or method): podcli exits 1 at once. */
class RequestConstructionError extends Error {}

/** `podcli check http <address>` (spec §16). */
export async function checkHttp (ctx: CliContext, rawAddress: string, opts: CheckHttpOptions): Promise<number> {
  const address = /^https?:\/\//.test(rawAddress) ? rawAddress : `http://${rawAddress}`
  return await withRetries(ctx, { retry: opts.retry, delay: opts.delay, sleepBeforeFirst: true }, address, async () => {
    try {
      const res = await request(address, opts.method, Buffer.from(opts.body), opts.timeout)
      if (res.status >= 200 && res.status < 400) {
        ctx.log.info('check succeed', {
          address,
          'status code': res.status,
          'response size': fmtContentLength(res.contentLength)
        })
        return { exit: 0 }
      }
      ctx.log.info('check failed', { address, 'status code': res.status })
      return { retry: `status code ${res.status}` }
    } catch (err) {
      ctx.log.info('check failed', { address, error: (err as Error).message })
      if (err instanceof RequestConstructionError) return { exit: 1 }
      return { retry: (err as Error).message }
    }
  })
}

/** Go's `%s %q: %s` url.Error text, with the method written like `Get`/`Post`. */
function urlError (method: string, url: string, message: string): Error {
  return new Error(`${method.charAt(0)}${method.slice(1).toLowerCase()} ${goQuote(url)}: ${message}`)
}

/**
 * One attempt as Go's default client makes it: the body is always sent, redirects are
 * followed (at most 10, 301/302/303 turn into GET without a body), certificates are
 * verified, and the timeout covers everything up to the final response's headers.
 */
async function request (address: string, method: string, body: Buffer, timeout: number): Promise<HttpResult> {
  let url: URL
  try {
    url = new URL(address)
  } catch {
    throw new RequestConstructionError(`parse ${goQuote(address)}: invalid URL`)
  }
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw new RequestConstructionError(`net/http: invalid method ${goQuote(method)}`)
  }
  const signal = AbortSignal.timeout(timeout)
  let current = address
  let currentMethod = method
  let currentBody = body
  for (let hops = 0; ; hops++) {
    const res = await send(url, current, currentMethod, currentBody, signal)
    const location = res.headers.location
    const redirect = [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && location !== undefined
    if (!redirect) {
      const result = { status: res.statusCode ?? 0, contentLength: contentLength(currentMethod, res) }
      res.destroy()
      return result
    }
    res.destroy()
    let next: URL
    try {
      next = new URL(location, url)
    } catch {
      throw urlError(currentMethod, current, `failed to parse Location header ${goQuote(location)}`)
    }
    if ([301, 302, 303].includes(res.statusCode ?? 0)) {
      if (currentMethod !== 'GET' && currentMethod !== 'HEAD') currentMethod = 'GET'
      currentBody = Buffer.alloc(0)
    }
    url = next
    current = next.href
    if (hops + 1 >= 10) throw urlError(currentMethod, current, 'stopped after 10 redirects')
  }
}

function send (url: URL, display: string, method: string, body: Buffer, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(urlError(method, display, `unsupported protocol scheme ${goQuote(url.protocol.replace(/:$/, ''))}`))
      return
    }
    if (signal.aborted) { reject(urlError(method, display, 'context deadline exceeded')); return }
    const client = url.protocol === 'https:' ? https : http
    const headers: Record<string, string> = { 'user-agent': 'podcli/6.14.1' }
    if (body.length > 0) headers['content-length'] = String(body.length)
    const port = url.port !== '' ? url.port : (url.protocol === 'https:' ? '443' : '80')
    const target = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), port)
    let req: http.ClientRequest
    try {
      req = client.request(url, { method, headers, agent: false, signal })
    } catch (err) {
      reject(new RequestConstructionError(`net/http: ${(err as Error).message}`))
      return
    }
    req.on('response', resolve)
    req.on('error', (err: NetError) => {
      const reason = err.name === 'AbortError' || signal.aborted ? 'context deadline exceeded' : goNetError(err, target)
      reject(urlError(method, display, reason))
    })
    req.end(body.length > 0 ? body : undefined)
  })
}

/** Go's `Response.ContentLength`: -1 when unknown, 0 for bodiless statuses. */
function contentLength (method: string, res: http.IncomingMessage): number {
  const status = res.statusCode ?? 0
  const header = res.headers['content-length']
  const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : -1
  if (method === 'HEAD') return declared
  if (status < 200 || status === 204 || status === 304) return 0
  if (res.headers['transfer-encoding'] !== undefined) return -1
  return declared
}

/** podinfo's `fmtContentLength`: SI units with one decimal from 1000 bytes up. */
export function fmtContentLength (bytes: number): string {
  const unit = 1000
  if (bytes < unit) return `${bytes} B`
  let div = unit
  let exp = 0
  for (let n = Math.floor(bytes / unit); n >= unit; n = Math.floor(n / unit)) {
    div *= unit
    exp++
  }
  return `${toFixed1(bytes / div)} ${'kMGTPE'[exp]}B`
}

/** Go's `%.1f`: like `toFixed(1)`, but exact ties round to even (1.25 → 1.2). */
function toFixed1 (x: number): string {
  const tenths = x * 10
  if (Number.isInteger(tenths * 2) && !Number.isInteger(tenths)) {
    const down = Math.floor(tenths)
    return ((down % 2 === 0 ? down : down + 1) / 10).toFixed(1)
  }
  return x.toFixed(1)
}
