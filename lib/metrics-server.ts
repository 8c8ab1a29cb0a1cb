import { createServer, type Server } from 'node:http'
import type { ExpositionAnswer } from './metrics.js'
import { PPROF_INDEX } from './pprof.js'

const NOT_FOUND = '404 page not found\n'

/**
 * The `--port-metrics` listener (spec §7): plain HTTP, no middleware, no timeouts, never
 * prefixed, and `/healthz` always 200 `OK`, even while shutting down.
 */
export function createMetricsServer (exposition: (acceptEncoding?: string) => Promise<ExpositionAnswer>): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/metrics') {
      exposition(req.headers['accept-encoding']).then(({ body, headers }) => {
        res.writeHead(200, headers).end(body)
      }, () => { res.writeHead(500).end() })
      return
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 2 }).end('OK')
      return
    }
    if (path === '/debug/pprof') {
      res.writeHead(301, { location: '/debug/pprof/' }).end()
      return
    }
    if (path === '/debug/pprof/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(PPROF_INDEX),
        'x-content-type-options': 'nosniff'
      }).end(req.method === 'HEAD' ? undefined : PPROF_INDEX)
      return
    }
    res.writeHead(404, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': NOT_FOUND.length,
      'x-content-type-options': 'nosniff'
    }).end(NOT_FOUND)
  })
}
