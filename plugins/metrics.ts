import fp from 'fastify-plugin'
import fastifyMetrics from 'fastify-metrics'
import type { Counter } from 'prom-client'
import { createExposition, type ExpositionAnswer } from '../lib/metrics.js'
import { muxTemplate, pathLabel } from '../lib/paths.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Renders the registry for a scrape (lib/metrics.ts): `{P}/metrics` and the metrics port. */
    exposition: (acceptEncoding?: string) => Promise<ExpositionAnswer>
  }
  interface FastifyContextConfig {
    /** The metrics `path` label, computed once per route when it is registered. */
    pathLabel?: string
  }
}

/** podinfo's histogram buckets (spec §8.1). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * Prometheus metrics with podinfo's names and labels (spec §8): the
 * `http_request_duration_seconds{method,path,status}` histogram through fastify-metrics,
 * the `http_requests_total{status}` counter, and the default `process_*` and `nodejs_*`
 * series. Unmatched requests (301/404/405) are never observed. The exposition routes live
 * in routes/metrics.ts and on the metrics port (lib/metrics-server.ts).
 */
export default fp(async function metrics (app) {
  const prefix = app.config.prefix === '/' ? '' : app.config.prefix
  app.addHook('onRoute', (route) => {
    const name = route.config?.metricsName
    const template = route.config?.muxTemplate === undefined ? muxTemplate(route.url) : prefix + route.config.muxTemplate
    route.config = { ...route.config, pathLabel: name ?? pathLabel(template) }
  })

  await app.register(fastifyMetrics.default, {
    endpoint: null,
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      methodBlacklist: [],
      overrides: {
        labels: {
          route: 'path',
          status: 'status',
          getRouteLabel: (request) => request.routeOptions.config.pathLabel ?? ''
        },
        histogram: {
          name: 'http_request_duration_seconds',
          help: 'Seconds spent serving HTTP requests.',
          buckets: BUCKETS
        }
      }
    }
  })

  // fastify-metrics always declares its summary; podinfo has none (spec §8.1).
  app.metrics.client.register.removeSingleMetric('http_request_summary_seconds')
  app.decorate('exposition', createExposition(app.metrics.client.register))

  const requests: Counter<'status'> = new app.metrics.client.Counter({
    name: 'http_requests_total',
    help: 'The total number of HTTP requests.',
    labelNames: ['status']
  })
  app.addHook('onResponse', (request, reply, done) => {
    if (!request.is404) requests.inc({ status: String(reply.statusCode) })
    done()
  })
}, { name: 'metrics' })
