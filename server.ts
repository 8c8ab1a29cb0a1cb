/**
 * The podinfo process (spec §1, §3, §14): configuration, listeners, gRPC, shutdown. This is
 * the only file that touches the process; everything HTTP lives in app.ts.
 */
import './lib/tick-warmup.js'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import app from './app.js'
import { ConfigExit, loadConfig } from './lib/config.js'
import { createHttpsServer, enableH2c, type Handler } from './lib/listeners.js'
import { createLogger } from './lib/logger.js'
import { createMetricsServer } from './lib/metrics-server.js'
import { MuxRules } from './lib/router.js'
import { fastifyOptions } from './lib/server-options.js'
import { ServiceState } from './lib/state.js'
import { startStress } from './lib/stress.js'
import shutdown, { type ShutdownOptions } from './plugins/shutdown.js'
import type { Config } from './schemas/config.js'

let config: Config
try {
  config = loadConfig(process.env, process.argv.slice(2), { stdout: (line) => process.stdout.write(line + '\n') })
} catch (err) {
  if (!(err instanceof ConfigExit)) throw err
  process.stdout.write(err.stdout)
  process.stderr.write(err.stderr)
  process.exit(err.code)
}

// OpenTelemetry starts before the logger (log export) and gRPC (instrumentation hooks), and
// is not even loaded unless --otel-service-name is set (spec §9.2).
const telemetry = config.otelServiceName === ''
  ? null
  : await (await import('./lib/otel.js')).startTelemetry(config, process.env)
const log = createLogger(config.level, telemetry?.destination)
/** Held for the life of the process (spec §15). */
export const stress = startStress(config.stressCpu, config.stressMemory, log)
const state = new ServiceState()
const mux = new MuxRules()

const grpcModule = config.grpcPort > 0 ? await import('./grpc/server.js') : null // loaded only when on
const grpc = grpcModule?.buildGrpcServer({ config, state, log, env: process.env }) ?? null
if (grpc !== null && grpcModule !== null) {
  try {
    await grpc.listen(grpcModule.grpcListenAddress(config)) // gRPC ignores --host (spec §1)
  } catch (err) {
    log.fatal({ port: config.grpcPort, error: (err as Error).message }, 'failed to listen')
    process.exit(1)
  }
}

log.info({ version: config.version, revision: config.revision, port: String(config.port) }, 'Starting podinfo')

const http = Fastify({ ...fastifyOptions(config, mux), loggerInstance: log as FastifyBaseLogger })
if (telemetry !== null) await http.register((await import('./plugins/otel.js')).default, { telemetry })
await http.register(fp(app), { config, state, mux, env: process.env, exit: (code) => process.exit(code) })

const extraServers: NonNullable<ShutdownOptions['servers']> = []
const routing = http.routing as Handler
if (config.h2c) extraServers.push(enableH2c(http.server, routing))

// Listeners added below are pushed into extraServers, which the shutdown plugin drains.
await http.register(shutdown, { grpc, servers: extraServers, flush: telemetry?.flush })
await http.ready()
if (config.portMetrics > 0) {
  // Errors on the metrics listener are ignored, as in podinfo (spec §2.5).
  createMetricsServer(http.exposition).on('error', () => {}).listen(config.portMetrics)
}

const host = config.host.replace(/^\[(.*)\]$/, '$1')
try {
  if (config.port > 0) {
    await http.listen({ host: host === '' ? '::' : host, port: config.port })
    log.info({ addr: `${config.host}:${config.port}` }, 'Starting HTTP Server.')
  }
} catch (err) {
  log.fatal({ error: (err as Error).message }, 'HTTP server crashed')
  process.exit(1)
}
if (config.securePort > 0) {
  try {
    const https = createHttpsServer(config.certPath, routing)
    await new Promise<void>((resolve, reject) => {
      https.once('error', reject).listen({ host: host === '' ? '::' : host, port: config.securePort }, resolve)
    })
    extraServers.push(https)
    log.info({ addr: `${config.host}:${config.securePort}` }, 'Starting HTTPS Server.')
  } catch (err) {
    log.fatal({ error: (err as Error).message }, 'HTTPS server crashed')
    process.exit(1)
  }
}

state.setHealthy(!config.unhealthy)
state.setReady(!config.unready)
