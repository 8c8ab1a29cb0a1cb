import { setTimeout as sleep } from 'node:timers/promises'
import { randomInt } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'

const FAULT_BODY = '{"status":"fault injection enabled"}\n'
const RANDOM_ERRORS = [500, 400, 409] as const

/**
 * podinfo's middleware chain for matched routes (spec §5), in its order: request log,
 * version request headers, fault injection, random delay, random error. Unmatched requests
 * (301/404/405) bypass all of it. Metrics (registered first) observe everything here.
 */
/** `ip:port` as Go prints it: IPv4 clients of a dual-stack listener without `::ffff:`. */
function remoteAddress (request: FastifyRequest): string {
  const address = request.socket.remoteAddress ?? ''
  return `${address.startsWith('::ffff:') ? address.slice(7) : address}:${request.socket.remotePort ?? ''}`
}

/** What @fastify/otel decorates requests with, when --otel-service-name is set (plugins/otel.ts). */
interface TracedRequest {
  opentelemetry?: () => { span?: { spanContext: () => { traceId: string } } | null }
}

/** The trace id of the request's server span, when tracing is on and a trace is active (spec §5.3). */
function traceId (request: FastifyRequest): string | undefined {
  const id = (request as TracedRequest).opentelemetry?.().span?.spanContext().traceId
  return id === undefined || /^0+$/.test(id) ? undefined : id
}

export default fp(async function middleware (app) {
  const { config, state } = app
  const prefix = config.prefix === '/' ? '' : config.prefix
  const unit = config.randomDelayUnit === 'ms' ? 1 : 1000
  const debug = config.level === 'debug'

  function faultExcluded (url: string): boolean {
    const q = url.indexOf('?')
    let path = q === -1 ? url : url.slice(0, q)
    if (prefix !== '' && path.startsWith(prefix)) path = path.slice(prefix.length) || '/'
    return path.startsWith('/fault_injection') || path === '/healthz' || path === '/readyz' ||
      path === '/metrics' || path.startsWith('/debug/')
  }

  function randomError (reply: FastifyReply): boolean {
    if (!config.randomError || randomInt(3) !== 0) return false
    reply.code(RANDOM_ERRORS[randomInt(RANDOM_ERRORS.length)] as number).send()
    return true
  }

  async function randomDelay (): Promise<void> {
    // n is uniform in [min, max-1]; max == min means exactly min (compat.md §2).
    const span = config.randomDelayMax - config.randomDelayMin
    const n = span > 0 ? config.randomDelayMin + randomInt(span) : config.randomDelayMin
    if (n > 0) await sleep(n * unit)
  }

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (request.is404) { done(); return }
    const probe = request.headers['x-probe']
    if (debug || probe !== undefined) {
      // podinfo logs requests at debug only; a request that names itself a probe (X-Probe)
      // is logged at info too, so liveness and readiness checks can be told apart.
      request.log[debug ? 'debug' : 'info']({
        proto: 'HTTP/' + request.raw.httpVersion,
        uri: request.originalUrl,
        method: request.method,
        remote: remoteAddress(request),
        'user-agent': request.headers['user-agent'],
        trace_id: traceId(request),
        probe
      }, 'request started')
    }
    request.headers['x-api-version'] = config.version
    request.headers['x-api-revision'] = config.revision
    if (state.faultInjection && !faultExcluded(request.url)) {
      reply.code(500)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .send(FAULT_BODY)
      return
    }
    if (config.randomDelay) {
      randomDelay().then(() => { if (!randomError(reply)) done() }, done)
      return
    }
    if (randomError(reply)) return
    done()
  })
}, { name: 'middleware', dependencies: ['metrics', 'websocket'] })
