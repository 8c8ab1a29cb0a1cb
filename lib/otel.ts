/**
 * OpenTelemetry for `--otel-service-name` (spec §9.2): traces and logs over OTLP. server.ts
 * imports this module only when the flag is set, so nothing here is loaded otherwise.
 *
 * - Traces: a server span per matched HTTP request named `METHOD /route/template` (through
 *   @fastify/otel), a child span named after podinfo's handler (`infoHandler`,
 *   `echoHandler`, …), a client span per `/echo` backend call with the context injected
 *   (the node:http instrumentation; the propagators' headers replace the `x-b3-*` copies),
 *   and a server span per gRPC call (the @grpc/grpc-js instrumentation).
 * - Logs: every pino line still goes to stderr unchanged and is also sent as an OTel log
 *   record, with the trace and span ids of the request that wrote it.
 * - Exporters: OTLP over gRPC (default, as podinfo) or HTTP/protobuf, chosen by
 *   `OTEL_EXPORTER_OTLP_PROTOCOL` (or the `_TRACES_`/`_LOGS_` variants). Endpoint, headers,
 *   TLS and timeouts come from the standard `OTEL_EXPORTER_OTLP_*` variables, read by the
 *   exporters themselves; the sampler from `OTEL_TRACES_SAMPLER` (default parent-based
 *   always-on).
 */
import { context, propagation, trace, type Span } from '@opentelemetry/api'
import { SeverityNumber, logs, type AnyValueMap, type Logger as OtelLogger } from '@opentelemetry/api-logs'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray'
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { OTTracePropagator } from '@opentelemetry/propagator-ot-trace'
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources'
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs'
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node'
import type { FastifyRequest, RouteOptions } from 'fastify'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { pino, type DestinationStream } from 'pino'
import { muxTemplate } from './paths.js'
import type { Config } from '../schemas/config.js'

/** The OTLP transports podinfo-ts can export with. */
export type OtlpProtocol = 'grpc' | 'http/protobuf'

export interface Telemetry {
  /** The resolved exporter protocols. */
  protocols: { traces: OtlpProtocol, logs: OtlpProtocol }
  /** @fastify/otel, configured with podinfo's span names: registered by plugins/otel.ts. */
  fastify: FastifyOtelInstrumentation
  /**
   * An `onRoute` hook, added before @fastify/otel's: records the route template for span
   * names and keeps handler spans to the routes podinfo names a handler for.
   */
  onRoute: (route: RouteOptions) => void
  /** The pino destination: stderr as before, plus every line as an OTel log record. */
  destination: DestinationStream
  /** Exports every finished span and log record now (shutdown step 5, spec §14). */
  flush: () => Promise<void>
  /** Flushes, then stops the providers and the instrumentations. */
  shutdown: () => Promise<void>
}

/** What the propagators read and write (spec §9.2): W3C, and the formats older meshes and tracers speak. */
export function podinfoPropagator (): CompositePropagator {
  return new CompositePropagator({
    propagators: [
      new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
      new JaegerPropagator(),
      new OTTracePropagator(),
      new AWSXRayPropagator(),
      // Extracted last, so `traceparent` wins when a request carries several formats.
      new W3CTraceContextPropagator(),
      new W3CBaggagePropagator()
    ]
  })
}

/**
 * The OTLP protocol for one signal: `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`, then
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, then `grpc` (podinfo's exporter). Anything else is an error.
 */
export function otlpProtocol (env: Record<string, string | undefined>, signal: 'TRACES' | 'LOGS'): OtlpProtocol {
  const value = (env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim()
  if (value === '' || value === 'grpc') return 'grpc'
  if (value === 'http/protobuf') return 'http/protobuf'
  throw new Error(`unsupported OTLP protocol "${value}" for ${signal.toLowerCase()}: use grpc or http/protobuf`)
}

/** podinfo's span names for its handlers (spec §9.2), by method and route template. */
const HANDLERS: Record<string, string | Record<string, string>> = {
  '/': 'infoHandler',
  '/api/info': 'infoHandler',
  '/echo': 'echoHandler',
  '/echo/': 'echoHandler',
  '/api/echo': 'echoHandler',
  '/api/echo/': 'echoHandler',
  '/env': 'envHandler',
  '/headers': 'echoHeadersHandler',
  '/delay/{seconds:[0-9]+}': 'delayHandler',
  '/delay/{wait:[0-9]+}': 'delayHandler',
  '/status/{code:[0-9]+}': 'statusHandler',
  '/store': 'storeWriteHandler',
  '/store/{hash}': 'storeReadHandler',
  '/cache/{key}': { GET: 'cacheReadHandler', DELETE: 'cacheDeleteHandler', POST: 'cacheWriteHandler', PUT: 'cacheWriteHandler' },
  '/configs': 'configReadHandler',
  '/token': 'tokenGenerateHandler',
  '/token/validate': 'tokenValidateHandler',
  '/chunked': 'chunkedHandler',
  '/chunked/{wait:[0-9]+}': 'chunkedHandler'
}

/**
 * The route template of a Fastify route, in podinfo's gorilla/mux form and with the
 * prefix: `/delay/:seconds(^\d+$)` → `/delay/{seconds:[0-9]+}`, `/token/` → `/token`.
 */
export function routeTemplate (url: string, prefix: string, muxOverride?: string): string {
  const base = prefix === '/' ? '' : prefix
  const template = muxOverride !== undefined ? base + muxOverride : muxTemplate(url)
  return template.length > 1 && url.endsWith('/') ? template.slice(0, -1) : template
}

/** podinfo's child span name for a route, or undefined when podinfo has none (probes, version, …). */
export function handlerSpanName (template: string, prefix: string, method: string, userAgent?: string): string | undefined {
  const base = prefix === '/' ? '' : prefix
  const path = base !== '' && template.startsWith(base) ? template.slice(base.length) || '/' : template
  const entry = HANDLERS[path]
  if (entry === undefined) return undefined
  if (typeof entry !== 'string') return entry[method]
  // GET / serves the UI to browsers: podinfo's indexHandler (spec §6.1, §17).
  if (path === '/' && userAgent?.startsWith('Mozilla') === true) return 'indexHandler'
  return entry
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route template used in span names, computed once when the route is added. */
    otelRoute?: string
  }
}

function requestTemplate (request: FastifyRequest, prefix: string): string | undefined {
  const options = request.routeOptions
  if (options.url === undefined) return undefined
  return options.config.otelRoute ?? routeTemplate(options.url, prefix, options.config.muxTemplate)
}

/**
 * Drops the spans of unmatched requests (404, 405 and the 301 redirects): podinfo traces
 * matched routes only. @fastify/otel opens a `request` span for every request; matched ones
 * are renamed by the request hook, so a span still called `request` never matched a route.
 */
class MatchedRoutesOnly implements SpanProcessor {
  constructor (private readonly next: SpanProcessor) {}
  onStart (span: Parameters<SpanProcessor['onStart']>[0], parent: Parameters<SpanProcessor['onStart']>[1]): void {
    this.next.onStart(span, parent)
  }

  onEnd (span: ReadableSpan): void {
    if (span.instrumentationScope.name === '@fastify/otel' &&
      (span.name === 'request' || span.name.startsWith('notFoundHandler'))) return
    this.next.onEnd(span)
  }

  async forceFlush (): Promise<void> { await this.next.forceFlush() }
  async shutdown (): Promise<void> { await this.next.shutdown() }
}

async function spanExporter (protocol: OtlpProtocol): Promise<SpanExporter> {
  if (protocol === 'grpc') return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter()
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter()
}

async function logExporter (protocol: OtlpProtocol): Promise<LogRecordExporter> {
  if (protocol === 'grpc') return new (await import('@opentelemetry/exporter-logs-otlp-grpc')).OTLPLogExporter()
  return new (await import('@opentelemetry/exporter-logs-otlp-proto')).OTLPLogExporter()
}

const SEVERITY: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL
}

/**
 * One pino JSON line as an OTel log record: `msg` is the body, `level` the severity, `ts` the
 * timestamp, every other field an attribute. Emitted in the caller's context, so a line
 * written while a request is served carries that request's trace and span ids.
 */
export function emitLogLine (logger: OtelLogger, line: string): void {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    logger.emit({ body: line.trimEnd() })
    return
  }
  const { level, ts, msg, ...fields } = entry
  const severityText = typeof level === 'string' ? level : undefined
  const time = typeof ts === 'string' ? Date.parse(ts) : NaN
  logger.emit({
    body: typeof msg === 'string' ? msg : '',
    severityText,
    severityNumber: severityText === undefined ? undefined : SEVERITY[severityText],
    timestamp: Number.isNaN(time) ? undefined : time,
    attributes: fields as AnyValueMap,
    context: context.active()
  })
}

/** A pino destination that writes to `base` and also emits each line as an OTel log record. */
export function teeDestination (base: DestinationStream, logger: OtelLogger): DestinationStream {
  return {
    write (line: string): void {
      base.write(line)
      emitLogLine(logger, line)
    }
  }
}

export interface StartOptions {
  /** Where the JSON logs go; synchronous stderr by default (see lib/logger.ts). */
  stderr?: DestinationStream
}

/**
 * Starts tracing and log export for `config.otelServiceName`. Call it before the logger and
 * the gRPC server are created: the gRPC instrumentation hooks `@grpc/grpc-js` when it is
 * first required. When the configuration is unusable (an unknown protocol), writes podinfo's
 * `Error initializing OTel log provider: <err>` to stderr and returns null: the server runs
 * on without telemetry (spec §3 step 3).
 */
export async function startTelemetry (config: Config, env: Record<string, string | undefined>, options: StartOptions = {}): Promise<Telemetry | null> {
  const stderr = options.stderr ?? pino.destination({ fd: 2, sync: true })
  try {
    return await setUp(config, env, stderr)
  } catch (err) {
    stderr.write(`Error initializing OTel log provider: ${(err as Error).message}\n`)
    return null
  }
}

async function setUp (config: Config, env: Record<string, string | undefined>, stderr: DestinationStream): Promise<Telemetry> {
  const protocols = { traces: otlpProtocol(env, 'TRACES'), logs: otlpProtocol(env, 'LOGS') }
  const resource: Resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': config.otelServiceName, 'service.version': config.version }))

  const [spans, records] = await Promise.all([spanExporter(protocols.traces), logExporter(protocols.logs)])
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [new MatchedRoutesOnly(new BatchSpanProcessor(spans))]
  })
  tracerProvider.register({ propagator: podinfoPropagator() })
  const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: records })] })
  logs.setGlobalLoggerProvider(loggerProvider)

  const prefix = config.prefix
  const fastify = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    requestHook: (span: Span, request: FastifyRequest) => {
      const template = requestTemplate(request, prefix)
      if (template === undefined) return // unmatched: dropped by MatchedRoutesOnly
      span.updateName(`${request.method} ${template}`)
      span.setAttributes({
        'http.route': template,
        'url.scheme': request.protocol,
        'network.protocol.version': request.raw.httpVersion,
        'client.address': request.ip,
        'server.address': request.hostname,
        ...(request.headers['user-agent'] === undefined ? {} : { 'user_agent.original': request.headers['user-agent'] })
      })
    },
    lifecycleHook: (span, { hookName, request }) => {
      if (hookName !== 'handler') return
      const template = requestTemplate(request, prefix)
      const name = template === undefined ? undefined : handlerSpanName(template, prefix, request.method, request.headers['user-agent'])
      if (name !== undefined) span.updateName(name)
    }
  })
  const instrumentations = [
    fastify,
    // Outgoing node:http(s) calls only (the `/echo` backend calls): @fastify/otel owns the
    // server side.
    new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
    new GrpcInstrumentation()
  ]
  const unregister = registerInstrumentations({ tracerProvider, loggerProvider, instrumentations })
  // node:http was loaded (by Fastify) before the instrumentation hooked `require`: require it
  // again so that its exports are patched, and publish the patched functions to ES module
  // imports (`import { request } from 'node:http'` in lib/echo.ts).
  const require = createRequire(import.meta.url)
  require('node:http')
  require('node:https')
  syncBuiltinESMExports()

  const otelLogger = loggerProvider.getLogger('podinfo', config.version)
  const destination = teeDestination(stderr, otelLogger)

  async function flush (): Promise<void> {
    await Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush()])
  }
  return {
    protocols,
    fastify,
    onRoute (route) {
      const methods = [route.method].flat()
      const muxOverride = route.config?.muxTemplate
      route.config = {
        ...route.config,
        otelRoute: routeTemplate(route.url, prefix, muxOverride),
        otel: { instrumentHandler: hasHandlerSpan(route.url, prefix, methods, muxOverride) }
      }
    },
    destination,
    flush,
    async shutdown () {
      unregister()
      await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()])
      trace.disable()
      propagation.disable()
      logs.disable()
    }
  }
}

/** Whether a route gets podinfo's handler span: the others keep only the server span. */
export function hasHandlerSpan (url: string, prefix: string, methods: string[], muxOverride?: string): boolean {
  const template = routeTemplate(url, prefix, muxOverride)
  return methods.some((method) => handlerSpanName(template, prefix, method) !== undefined)
}
