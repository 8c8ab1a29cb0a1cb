import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createGunzip } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { EchoResponseSchema } from '../schemas/echo.js'
import { goBytes } from './json.js'

/** Request headers podinfo copies to its backends (spec §6.4). */
const FORWARDED = ['x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'x-ot-span-context']

/**
 * Registers podinfo's echo routes, any method on `echo` and `echo/**` under the plugin's
 * prefix: `{P}/echo` (routes/echo.ts) and `{P}/api/echo` (routes/api/index.ts), spec §6.4.
 */
export function echoRoutes (app: FastifyInstance): void {
  const options = {
    config: { rawBody: true },
    schema: {
      tags: ['HTTP API'],
      summary: 'Echo',
      description: 'forwards the call to the backend service and echos the posted content',
      response: EchoResponseSchema
    }
  }
  app.all('/echo', options, (request, reply) => echo(app, request, reply))
  app.all('/echo/*', options, (request, reply) => echo(app, request, reply))
}

/**
 * The echo handler shared by `/echo` and `/api/echo` (spec §6.4): the body back as raw bytes
 * (202), or, with `--backend-url`, a concurrent POST to every backend and a JSON array of
 * their answers (200). Backend failures never change the status. Without backends the reply
 * is sent here and now and nothing is returned, so Fastify has no promise to wait for.
 */
export function echo (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined {
  const body = request.body as Buffer
  const { config } = app
  reply.header('x-color', config.uiColor)
  if (config.backendUrl.length === 0) {
    reply.code(202)
      .header('content-type', 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(body)
    return undefined
  }
  return echoBackends(app, request, reply, body)
}

async function echoBackends (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, body: Buffer): Promise<unknown> {
  const { config } = app
  const headers: Record<string, string> = {
    'x-api-version': config.version,
    'x-api-revision': config.revision
  }
  for (const name of FORWARDED) {
    const value = request.headers[name]
    if (typeof value === 'string' && value !== '') headers[name] = value
  }
  const results = await Promise.all(config.backendUrl.map((url) => callBackend(app, url, body, headers)))
  return reply.code(200).send(results)
}

async function callBackend (app: FastifyInstance, url: string, body: Buffer, headers: Record<string, string>): Promise<string> {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return '' // podinfo cannot even build the request: empty string (spec §6.4)
  }
  const signal = AbortSignal.timeout(app.config.httpClientTimeout)
  try {
    const response = await post(target, body, headers, signal)
    const text = goBytes(response.body) // Go's string(body)
    if (response.status >= 400) {
      app.log.error({ status: response.status, url }, 'backend call failed')
      return `backend ${url} response status code ${response.status}`
    }
    app.log.debug({ response: text, url }, 'payload received from backend')
    return text
  } catch (err) {
    const message = describe(url, signal.aborted ? signal.reason : err)
    app.log.error({ error: message, url }, 'backend call failed')
    return `backend ${url} call failed ${message}`
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * Go's `http.Client.Post` with node:http (fetch would refuse WHATWG "bad ports" such as
 * 6000 and adds browser headers): Go's client headers, transparent gzip, and redirects as
 * Go follows them (at most 10; 301/302/303 become a GET without body, 307/308 resend).
 */
async function post (url: URL, body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number, body: Buffer }> {
  let method = 'POST'
  let payload: Buffer | undefined = body
  let target = url
  for (let hops = 0; ; hops++) {
    const response = await send(target, method, payload, headers, signal)
    const location = response.headers.location
    if (!REDIRECTS.has(response.status) || location === undefined) return response
    if (hops === 10) throw new Error('stopped after 10 redirects')
    target = new URL(location, target)
    if (response.status <= 303) { method = 'GET'; payload = undefined }
  }
}

async function send (url: URL, method: string, body: Buffer | undefined, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number, headers: IncomingHttpHeaders, body: Buffer }> {
  const client = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined
  if (client === undefined) throw new Error(`unsupported protocol scheme "${url.protocol.slice(0, -1)}"`)
  return await new Promise((resolve, reject) => {
    const req = client(url, {
      method,
      signal,
      headers: {
        'user-agent': 'Go-http-client/1.1',
        ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        ...headers,
        'accept-encoding': 'gzip'
      }
    }, (res) => {
      const gzipped = res.headers['content-encoding'] === 'gzip'
      const stream = gzipped ? res.pipe(createGunzip()) : res
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      stream.on('error', reject)
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Go-like error text: `Post "<url>": <cause>` (spec §6.4 leaves the wording to us). */
function describe (url: string, err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') { // the --http-client-timeout signal
    return `Post "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
  }
  // a failed dual-stack connect is an AggregateError with an empty message: use the first
  const first = err instanceof AggregateError && err.message === '' ? err.errors[0] as unknown : err
  const text = first instanceof Error ? first.message : String(first)
  return `Post "${url}": ${text}`
}
