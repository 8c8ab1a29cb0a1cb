import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import { createChannel, createClient, Metadata } from 'nice-grpc'
import { VersionServiceDefinition } from '../../grpc/gen/version.js'
import { startPodinfo } from '../process.js'
import { startGrpcReceiver, startHttpReceiver, type ExportedSpan } from './receiver.js'

const TRACE = '0af7651916cd43dd8448eb211c80319c'
const PARENT = 'b7ad6b7169203331'
const GRPC_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const GRPC_PARENT = '00f067aa0ba902b7'

function one (spans: ExportedSpan[], where: (span: ExportedSpan) => boolean, what: string): ExportedSpan {
  const found = spans.filter(where)
  assert.equal(found.length, 1, `exactly one ${what} span, got ${found.length}: ${spans.map((s) => `${s.service} ${s.name}`).join(', ')}`)
  return found[0] as ExportedSpan
}

/** A plain HTTP backend that records the headers of every request it gets. */
async function recordingBackend (t: { after: (fn: () => unknown) => void }): Promise<{ url: string, requests: IncomingHttpHeaders[] }> {
  const requests: IncomingHttpHeaders[] = []
  const server = createServer((req, res) => {
    requests.push(req.headers)
    req.resume().on('end', () => res.end('backend says hi'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => { server.closeAllConnections(); server.close() })
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/echo`, requests }
}

test('frontend → backend /echo and a gRPC call over OTLP/gRPC: one trace across both processes, podinfo span names, logs with trace ids, flushed at shutdown', async (t) => {
  const rx = await startGrpcReceiver()
  t.after(() => rx.close())
  // Spans are batched for 10 minutes: everything below arrives only because shutdown flushes.
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_BSP_SCHEDULE_DELAY: '600000' }
  const backend = await startPodinfo(t, { args: ['--otel-service-name=backend', '--level=debug'], env })
  const frontend = await startPodinfo(t, {
    grpc: true,
    args: ['--otel-service-name=frontend', '--level=debug', `--backend-url=${backend.url}/echo`],
    env
  })

  const echo = await fetch(frontend.url + '/echo', {
    method: 'POST',
    body: '{"x":1}',
    headers: { traceparent: `00-${TRACE}-${PARENT}-01` }
  })
  assert.equal(echo.status, 200)
  assert.equal(await echo.text(), '[\n  "{\\"x\\":1}"\n]')

  const channel = createChannel(`127.0.0.1:${frontend.grpcPort}`)
  t.after(() => channel.close())
  const version = await createClient(VersionServiceDefinition, channel).version({}, {
    metadata: Metadata({ traceparent: `00-${GRPC_TRACE}-${GRPC_PARENT}-01` })
  })
  assert.equal(version.version, '6.14.1')

  const invalid = await fetch(frontend.url + '/token/validate') // error envelope, HTTP 200
  assert.equal(invalid.status, 200)
  assert.equal((await fetch(frontend.url + '/nope')).status, 404)

  assert.equal(rx.spans.length, 0, 'nothing is exported before the batch delay or a flush')
  assert.equal(await frontend.stop(), 0)
  assert.equal(await backend.stop(), 0)

  // Everything is there as soon as the processes have exited: no waiting.
  const spans = rx.spans
  const chain = spans.filter((s) => s.traceId === TRACE)
  const frontServer = one(chain, (s) => s.service === 'frontend' && s.kind === 2, 'frontend server')
  assert.equal(frontServer.name, 'POST /echo')
  assert.equal(frontServer.parentSpanId, PARENT, 'the incoming traceparent is the parent')
  assert.equal(frontServer.scope, '@fastify/otel')
  assert.equal(frontServer.attributes['http.route'], '/echo')
  assert.equal(frontServer.attributes['http.request.method'], 'POST')
  assert.equal(frontServer.attributes['url.path'], '/echo')
  assert.equal(frontServer.attributes['http.response.status_code'], 200n)
  assert.equal(frontServer.status.code, 0)
  assert.deepEqual(
    [frontServer.resource['service.name'], frontServer.resource['service.version']],
    ['frontend', '6.14.1']
  )

  const frontHandler = one(chain, (s) => s.service === 'frontend' && s.name === 'echoHandler', 'frontend echoHandler')
  assert.equal(frontHandler.parentSpanId, frontServer.spanId)
  assert.equal(frontHandler.kind, 1)

  const client = one(chain, (s) => s.kind === 3, 'backend call client')
  assert.equal(client.service, 'frontend')
  assert.equal(client.parentSpanId, frontHandler.spanId)
  assert.equal(client.attributes['url.full'], `${backend.url}/echo`)
  assert.equal(client.attributes['http.request.method'], 'POST')
  assert.equal(client.attributes['http.response.status_code'], 202n)

  const backServer = one(chain, (s) => s.service === 'backend' && s.kind === 2, 'backend server')
  assert.equal(backServer.name, 'POST /echo')
  assert.equal(backServer.parentSpanId, client.spanId, 'the backend continues the frontend trace')
  assert.equal(backServer.resource['service.name'], 'backend')
  const backHandler = one(chain, (s) => s.service === 'backend' && s.name === 'echoHandler', 'backend echoHandler')
  assert.equal(backHandler.parentSpanId, backServer.spanId)
  assert.equal(chain.length, 5, chain.map((s) => `${s.service} ${s.name}`).join(', '))

  const rpc = one(spans, (s) => s.traceId === GRPC_TRACE, 'gRPC server')
  assert.equal(rpc.service, 'frontend')
  assert.equal(rpc.kind, 2)
  assert.equal(rpc.parentSpanId, GRPC_PARENT)
  assert.equal(rpc.name, 'grpc.version.VersionService/Version')
  assert.equal(rpc.attributes['rpc.system'], 'grpc')
  assert.equal(rpc.attributes['rpc.service'], 'version.VersionService')
  assert.equal(rpc.attributes['rpc.method'], 'Version')
  assert.equal(rpc.attributes['rpc.grpc.status_code'], 0n)

  const token = one(spans, (s) => s.name === 'GET /token/validate', 'token validate')
  assert.equal(token.status.code, 2, 'the error envelope marks the span as an error')
  assert.equal(token.status.message, 'authorization bearer header required')
  const tokenHandler = one(spans, (s) => s.name === 'tokenValidateHandler', 'tokenValidateHandler')
  assert.equal(tokenHandler.parentSpanId, token.spanId)

  assert.equal(spans.filter((s) => s.attributes['url.path'] === '/nope' || s.name === 'request').length, 0, 'no span for unmatched requests')
  assert.ok(spans.some((s) => s.name === 'GET /readyz' && s.service === 'backend'), 'probes are traced (without a handler span)')
  assert.equal(spans.filter((s) => s.name.startsWith('handler')).length, 0, 'handler spans carry podinfo names')

  // Logs: every stderr line is also an OTel record; those written while serving carry the ids.
  const started = rx.logs.filter((l) => l.body === 'request started' && l.attributes.uri === '/echo')
  assert.deepEqual(
    started.map((l) => [l.service, l.traceId, l.spanId, l.severityNumber, l.severityText]).sort(),
    [['backend', TRACE, backServer.spanId, 5, 'debug'], ['frontend', TRACE, frontServer.spanId, 5, 'debug']]
  )
  const payload = rx.logs.filter((l) => l.body === 'payload received from backend')
  assert.deepEqual(payload.map((l) => [l.service, l.traceId, l.spanId]), [['frontend', TRACE, frontHandler.spanId]])
  assert.deepEqual(payload[0]?.attributes, { response: '{"x":1}', url: `${backend.url}/echo` })

  const starting = rx.logs.find((l) => l.service === 'frontend' && l.body === 'Starting podinfo')
  assert.ok(starting !== undefined)
  assert.equal(starting.severityNumber, 9)
  assert.equal(starting.severityText, 'info')
  assert.equal(starting.traceId, '')
  assert.deepEqual(starting.attributes, { version: '6.14.1', revision: String(starting.attributes.revision), port: String(frontend.port) })
  const line = frontend.logLines().find((l) => l.msg === 'Starting podinfo')
  assert.equal(BigInt(Date.parse(String(line?.ts))) * 1_000_000n, starting.timeUnixNano)
  // stderr keeps podinfo's fields and nothing more.
  assert.deepEqual(Object.keys(line ?? {}), ['level', 'ts', 'version', 'revision', 'port', 'msg'])

  // Written after the signal, still exported: the log provider is flushed during shutdown.
  assert.deepEqual(
    rx.logs.filter((l) => l.body === 'Shutting down HTTP/HTTPS server').map((l) => l.service).sort(),
    ['backend', 'frontend']
  )
})

test('OTLP/HTTP protobuf: the backend call carries W3C, B3, Jaeger, OT and X-Ray context of the client span (replacing copied B3 headers); x-request-id still copied', async (t) => {
  const rx = await startHttpReceiver()
  t.after(() => rx.close())
  const backend = await recordingBackend(t)
  const frontend = await startPodinfo(t, {
    args: ['--otel-service-name=frontend', `--backend-url=${backend.url}`],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_BSP_SCHEDULE_DELAY: '50' }
  })
  const response = await fetch(frontend.url + '/api/echo', {
    method: 'POST',
    body: 'ping',
    headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'x-request-id': 'req-1', baggage: 'team=podinfo', 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' }
  })
  assert.equal(response.status, 200)
  assert.equal(await response.text(), '[\n  "backend says hi"\n]')

  await rx.until(() => rx.spans.some((s) => s.kind === 3))
  const client = one(rx.spans, (s) => s.kind === 3, 'client')
  const server = one(rx.spans, (s) => s.name === 'POST /api/echo', 'server')
  assert.equal(server.traceId, TRACE)
  assert.equal(server.attributes['http.route'], '/api/echo')
  assert.equal(client.traceId, TRACE)
  assert.equal(one(rx.spans, (s) => s.name === 'echoHandler', 'handler').parentSpanId, server.spanId)

  assert.equal(backend.requests.length, 1)
  const headers = backend.requests[0] as IncomingHttpHeaders
  assert.equal(headers.traceparent, `00-${TRACE}-${client.spanId}-01`)
  assert.equal(headers.baggage, 'team=podinfo')
  assert.equal(headers['x-b3-traceid'], TRACE)
  assert.equal(headers['x-b3-spanid'], client.spanId)
  assert.equal(headers['x-b3-sampled'], '1')
  assert.equal(headers['uber-trace-id'], `${TRACE}:${client.spanId}:0:01`)
  assert.equal(headers['ot-tracer-traceid'], TRACE.slice(16))
  assert.equal(headers['ot-tracer-spanid'], client.spanId)
  assert.equal(headers['x-amzn-trace-id'], `Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${client.spanId};Sampled=1`)
  assert.equal(headers['x-request-id'], 'req-1')
  assert.equal(headers['x-api-version'], '6.14.1')
  assert.equal(headers['content-type'], undefined)
  assert.equal(await frontend.stop(), 0)
})

test('B3 and Jaeger contexts are honoured on incoming requests', async (t) => {
  const rx = await startHttpReceiver()
  t.after(() => rx.close())
  const frontend = await startPodinfo(t, {
    args: ['--otel-service-name=frontend'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_BSP_SCHEDULE_DELAY: '50' }
  })
  await fetch(frontend.url + '/version', { headers: { 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' } })
  await fetch(frontend.url + '/env', { headers: { 'uber-trace-id': `${GRPC_TRACE}:${GRPC_PARENT}:0:1` } })
  await rx.until(() => rx.spans.some((s) => s.name === 'GET /env'))
  const version = one(rx.spans, (s) => s.name === 'GET /version', 'version')
  assert.deepEqual([version.traceId, version.parentSpanId], [TRACE, PARENT])
  const env = one(rx.spans, (s) => s.name === 'GET /env', 'env')
  assert.deepEqual([env.traceId, env.parentSpanId], [GRPC_TRACE, GRPC_PARENT])
  assert.equal(one(rx.spans, (s) => s.name === 'envHandler', 'envHandler').parentSpanId, env.spanId)
  assert.equal(rx.spans.filter((s) => s.parentSpanId === version.spanId).length, 0, 'podinfo has no handler span for /version')
})

test('without --otel-service-name: nothing is exported, incoming context is ignored and nothing is injected', async (t) => {
  const rx = await startHttpReceiver()
  t.after(() => rx.close())
  const grpcRx = await startGrpcReceiver()
  t.after(() => grpcRx.close())
  const backend = await recordingBackend(t)
  const frontend = await startPodinfo(t, {
    args: [`--backend-url=${backend.url}`, '--level=debug'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_BSP_SCHEDULE_DELAY: '50' }
  })
  const response = await fetch(frontend.url + '/echo', {
    method: 'POST',
    body: 'x',
    headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT }
  })
  assert.equal(response.status, 200)
  const headers = backend.requests[0] as IncomingHttpHeaders
  assert.equal(headers.traceparent, undefined)
  assert.equal(headers['uber-trace-id'], undefined)
  // podinfo's raw copy of the B3 headers (spec §6.4) is all that is sent.
  assert.equal(headers['x-b3-traceid'], TRACE)
  assert.equal(headers['x-b3-spanid'], PARENT)
  assert.equal(await frontend.stop(), 0)
  assert.equal(rx.requests + grpcRx.requests, 0)
  assert.ok(frontend.logLines().every((line) => !('trace_id' in line)))
})

test('an unsupported OTLP protocol is reported and the server runs on without telemetry', async (t) => {
  const rx = await startHttpReceiver()
  t.after(() => rx.close())
  const podinfo = await startPodinfo(t, {
    args: ['--otel-service-name=podinfo'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }
  })
  assert.equal((await fetch(podinfo.url + '/version')).status, 200)
  assert.equal(await podinfo.stop(), 0)
  assert.match(podinfo.logs(), /^Error initializing OTel log provider: unsupported OTLP protocol "http\/json" for traces: use grpc or http\/protobuf$/m)
  assert.equal(rx.requests, 0)
})

test('with --prefix: span names and routes carry the prefix, handler spans keep podinfo names', async (t) => {
  const rx = await startHttpReceiver()
  t.after(() => rx.close())
  const podinfo = await startPodinfo(t, {
    args: ['--otel-service-name=podinfo', '--prefix=/podinfo'],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
      OTEL_BSP_SCHEDULE_DELAY: '50'
    },
    waitFor: '/podinfo/readyz'
  })
  assert.equal((await fetch(podinfo.url + '/podinfo/api/info')).status, 200)
  assert.equal((await fetch(podinfo.url + '/podinfo/token', { method: 'POST' })).status, 200)
  assert.equal((await fetch(podinfo.url + '/podinfo/status/418')).status, 418)
  await rx.until(() => rx.spans.filter((s) => s.kind === 1).length === 3)
  const names = (server: string): string[] => {
    const parent = one(rx.spans, (s) => s.name === server, server)
    return rx.spans.filter((s) => s.parentSpanId === parent.spanId).map((s) => s.name)
  }
  assert.deepEqual(names('GET /podinfo/api/info'), ['infoHandler'])
  assert.deepEqual(names('POST /podinfo/token'), ['tokenGenerateHandler'])
  assert.deepEqual(names('GET /podinfo/status/{code:[0-9]+}'), ['statusHandler'])
  const status = one(rx.spans, (s) => s.name === 'GET /podinfo/status/{code:[0-9]+}', 'status')
  assert.equal(status.attributes['http.route'], '/podinfo/status/{code:[0-9]+}')
  assert.equal(status.attributes['http.response.status_code'], 418n)
  assert.equal(status.status.code, 0, 'a 4xx answer is not a server error')
  assert.equal(status.resource['deployment.environment'], 'test')
  assert.equal(status.resource['service.name'], 'podinfo')
  assert.ok(rx.headers.length > 0 && rx.headers.every((h) => h['x-api-key'] === 'secret'), 'OTEL_EXPORTER_OTLP_HEADERS are sent')
})

test('no OpenTelemetry SDK module is loaded without --otel-service-name', async (t) => {
  // @opentelemetry/api is prom-client's dependency and loaded either way.
  const env = { NODE_OPTIONS: `--require ${join(import.meta.dirname, 'module-probe.cjs')}` }
  const off = await startPodinfo(t, { grpc: true, env })
  assert.equal((await fetch(off.url + '/echo', { method: 'POST', body: 'x' })).status, 202)
  assert.equal(await off.stop(), 0)
  assert.doesNotMatch(off.logs(), /otel-module-loaded/)

  const on = await startPodinfo(t, { args: ['--otel-service-name=on'], env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } })
  assert.equal(await on.stop(), 0)
  for (const name of ['@fastify/otel', '@opentelemetry/sdk-logs', '@opentelemetry/exporter-trace-otlp-grpc', '@opentelemetry/instrumentation-http']) {
    assert.match(on.logs(), new RegExp(`^otel-module-loaded ${name}$`, 'm'), 'the probe sees the SDK when it is on')
  }
})

test('at --level=debug the request log line carries the trace id of the request (spec §5.3)', async (t) => {
  const rx = await startHttpReceiver()
  t.after(() => rx.close())
  const podinfo = await startPodinfo(t, {
    args: ['--otel-service-name=frontend', '--level=debug'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_BSP_SCHEDULE_DELAY: '50' }
  })
  await fetch(podinfo.url + '/version', { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } })
  await fetch(podinfo.url + '/env')
  const started = podinfo.logLines().filter((line) => line.msg === 'request started')
  const version = started.find((line) => line.uri === '/version')
  const env = started.find((line) => line.uri === '/env')
  assert.equal(version?.trace_id, TRACE)
  assert.match(String(env?.trace_id), /^[0-9a-f]{32}$/)
  assert.notEqual(env?.trace_id, TRACE)
})
