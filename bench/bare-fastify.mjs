/**
 * Baseline 2: bare Fastify (default options, no logger, no plugins) serving podinfo's bytes
 * for the benchmarked routes.
 *   node bench/bare-fastify.mjs --port 9002 [--metrics-body FILE]
 */
import Fastify from 'fastify'
import { ECHO_HEADERS, JSON_TYPE, METRICS_TYPE, OK, ROOT, metricsBody, portArg } from './bodies.mjs'

const METRICS = metricsBody()
const app = Fastify()
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body))

const json = (body) => (_req, reply) => {
  reply.header('content-type', JSON_TYPE).header('x-content-type-options', 'nosniff').send(body)
}
app.get('/', json(ROOT))
app.get('/healthz', json(OK))
app.get('/readyz', json(OK))
app.all('/metrics', (_req, reply) => { reply.header('content-type', METRICS_TYPE).send(METRICS) })
app.all('/echo', (req, reply) => { reply.code(202).headers(ECHO_HEADERS).send(req.body ?? Buffer.alloc(0)) })

await app.listen({ port: portArg(), host: '127.0.0.1' })
process.on('SIGTERM', () => app.close().then(() => process.exit(0)))
