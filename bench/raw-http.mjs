/**
 * Baseline 1: raw `node:http` serving podinfo's bytes for the benchmarked routes.
 *   node bench/raw-http.mjs --port 9001 [--metrics-body FILE]
 */
import { createServer } from 'node:http'
import { ECHO_HEADERS, JSON_TYPE, METRICS_TYPE, OK, ROOT, metricsBody, portArg } from './bodies.mjs'

const METRICS = metricsBody()

function json (res, body) {
  res.writeHead(200, { 'content-type': JSON_TYPE, 'x-content-type-options': 'nosniff', 'content-length': body.length })
  res.end(body)
}

const server = createServer((req, res) => {
  const path = req.url
  if (req.method === 'GET' && path === '/') return json(res, ROOT)
  if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return json(res, OK)
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': METRICS_TYPE, 'content-length': METRICS.length })
    return res.end(METRICS)
  }
  if (path === '/echo') {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      res.writeHead(202, { ...ECHO_HEADERS, 'content-length': body.length })
      res.end(body)
    })
    return
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('404 page not found\n')
})
server.listen(portArg(), '127.0.0.1')
process.on('SIGTERM', () => server.close(() => process.exit(0)))
