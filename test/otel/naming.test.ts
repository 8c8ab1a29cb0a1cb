import { test } from 'node:test'
import assert from 'node:assert/strict'
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { emitLogLine, handlerSpanName, otlpProtocol, routeTemplate, teeDestination } from '../../lib/otel.js'

test('routeTemplate: gorilla/mux form with the prefix, no trailing slash from folder index routes', () => {
  assert.equal(routeTemplate('/', '/', undefined), '/')
  assert.equal(routeTemplate('/api/info', '/', undefined), '/api/info')
  assert.equal(routeTemplate('/delay/:seconds(^\\d+$)', '/', undefined), '/delay/{seconds:[0-9]+}')
  assert.equal(routeTemplate('/status/:code(^\\d+$)', '/', undefined), '/status/{code:[0-9]+}')
  assert.equal(routeTemplate('/store/:hash', '/', undefined), '/store/{hash}')
  assert.equal(routeTemplate('/echo/*', '/', undefined), '/echo/')
  assert.equal(routeTemplate('/token/', '/', undefined), '/token')
  assert.equal(routeTemplate('/chunked/:seconds(^\\d+$)', '/', '/chunked/{wait:[0-9]+}'), '/chunked/{wait:[0-9]+}')
  assert.equal(routeTemplate('/podinfo/chunked/:seconds(^\\d+$)', '/podinfo', '/chunked/{wait:[0-9]+}'), '/podinfo/chunked/{wait:[0-9]+}')
  assert.equal(routeTemplate('/podinfo/version', '/podinfo', undefined), '/podinfo/version')
})

test('handlerSpanName: podinfo\'s handler names (spec §9.2), by method, with and without a prefix', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['GET', '/', 'infoHandler'],
    ['GET', '/api/info', 'infoHandler'],
    ['POST', '/echo', 'echoHandler'],
    ['PUT', '/api/echo/', 'echoHandler'],
    ['POST', '/env', 'envHandler'],
    ['GET', '/headers', 'echoHeadersHandler'],
    ['GET', '/delay/{seconds:[0-9]+}', 'delayHandler'],
    ['PUT', '/status/{code:[0-9]+}', 'statusHandler'],
    ['POST', '/store', 'storeWriteHandler'],
    ['GET', '/store/{hash}', 'storeReadHandler'],
    ['GET', '/cache/{key}', 'cacheReadHandler'],
    ['PUT', '/cache/{key}', 'cacheWriteHandler'],
    ['DELETE', '/cache/{key}', 'cacheDeleteHandler'],
    ['GET', '/configs', 'configReadHandler'],
    ['POST', '/token', 'tokenGenerateHandler'],
    ['GET', '/token/validate', 'tokenValidateHandler'],
    ['GET', '/chunked/{wait:[0-9]+}', 'chunkedHandler'],
    ['GET', '/version', undefined],
    ['GET', '/healthz', undefined],
    ['GET', '/readyz', undefined],
    ['GET', '/metrics', undefined]
  ]
  for (const [method, template, name] of cases) {
    assert.equal(handlerSpanName(template, '/', method), name, `${method} ${template}`)
    assert.equal(handlerSpanName('/p' + (template === '/' ? '' : template), '/p', method), name, `${method} /p${template}`)
  }
  assert.equal(handlerSpanName('/', '/', 'GET', 'Mozilla/5.0'), 'indexHandler')
  assert.equal(handlerSpanName('/', '/', 'GET', 'curl/8'), 'infoHandler')
})

test('otlpProtocol: per-signal variable, then the general one, then grpc; anything else is an error', () => {
  assert.equal(otlpProtocol({}, 'TRACES'), 'grpc')
  assert.equal(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'TRACES'), 'http/protobuf')
  assert.equal(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc' }, 'LOGS'), 'grpc')
  assert.equal(otlpProtocol({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' grpc ' }, 'TRACES'), 'grpc')
  assert.throws(() => otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'LOGS'), /unsupported OTLP protocol "http\/json" for logs/)
})

test('emitLogLine and teeDestination: a pino line becomes a log record in the active span context, stderr unchanged', (t) => {
  new NodeTracerProvider().register() // the AsyncLocalStorage context manager
  t.after(() => { trace.disable(); propagation.disable(); context.disable() })
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] })
  const written: string[] = []
  const destination = teeDestination({ write: (line: string) => { written.push(line) } }, provider.getLogger('podinfo'))
  const line = '{"level":"warn","ts":"2026-07-22T10:23:32.123Z","key":"k","nested":{"a":1},"msg":"cache key not found"}\n'
  const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED })
  context.with(trace.setSpan(context.active(), span), () => { destination.write(line) })
  emitLogLine(provider.getLogger('podinfo'), 'not json\n')
  assert.deepEqual(written, [line])

  const [record, plain] = exporter.getFinishedLogRecords()
  assert.equal(record?.body, 'cache key not found')
  assert.equal(record?.severityText, 'warn')
  assert.equal(record?.severityNumber, 13)
  assert.deepEqual(record?.hrTime, [Date.parse('2026-07-22T10:23:32Z') / 1000, 123_000_000])
  assert.deepEqual(record?.attributes, { key: 'k', nested: { a: 1 } })
  assert.equal(record?.spanContext?.traceId, '0af7651916cd43dd8448eb211c80319c')
  assert.equal(record?.spanContext?.spanId, 'b7ad6b7169203331')
  assert.equal(plain?.body, 'not json')
  assert.equal(plain?.spanContext, undefined)
})
