import { setMaxListeners } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import { createServer } from 'nice-grpc'
import type { ServiceState } from '../lib/state.js'
import type { Config } from '../schemas/config.js'
import { delayService } from './delay.js'
import { echoService } from './echo.js'
import { envService } from './env.js'
import { DelayServiceDefinition } from './gen/delay/delay.js'
import { EchoServiceDefinition } from './gen/echo/echo.js'
import { EnvServiceDefinition } from './gen/env/env.js'
import { HealthDefinition } from './gen/grpc/health/v1/health.js'
import { HeaderServiceDefinition } from './gen/headers/headers.js'
import { InfoServiceDefinition } from './gen/info/info.js'
import { PanicServiceDefinition } from './gen/panic.js'
import { StatusServiceDefinition } from './gen/status/status.js'
import { TokenServiceDefinition } from './gen/token/token.js'
import { VersionServiceDefinition } from './gen/version.js'
import { headerInterceptor, headerService } from './header.js'
import { healthService } from './health.js'
import { infoService } from './info.js'
import { panicService } from './panic.js'
import { ServerReflectionV1AlphaService, reflectionService } from './reflection.js'
import { ServerReflectionService } from 'nice-grpc-server-reflection'
import { statusService } from './status.js'
import { tokenService } from './token.js'
import { versionService } from './version.js'

export interface GrpcDeps {
  config: Config
  /** Readiness shared with HTTP `/readyz`: the health service follows it. */
  state: ServiceState
  log: FastifyBaseLogger
  /** What the Env service lists (the server passes `process.env`). */
  env: Record<string, string | undefined>
  /** Called by the Panic service with 225; `process.exit` by default. */
  exit?: (code: number) => void
}

export interface GrpcServer {
  /** Binds `host:port` and returns the port (useful with port 0). */
  listen (address: string): Promise<number>
  /**
   * podinfo's graceful stop (spec §14 step 6; the caller logs `Shutting down GRPC server`):
   * no new calls, open health Watch streams end, then wait for the calls in flight.
   * Unbounded, like podinfo: race it against the shutdown deadline and call
   * `forceShutdown()` when the deadline passes.
   */
  shutdown (): Promise<void>
  /** Cancels every call still open (clients see CANCELLED) and frees the port. */
  forceShutdown (): void
}

/** The full service names, as reflection lists them (spec §11). */
export const GRPC_SERVICE_NAMES: readonly string[] = [
  DelayServiceDefinition.fullName,
  EchoServiceDefinition.fullName,
  EnvServiceDefinition.fullName,
  HealthDefinition.fullName,
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
  HeaderServiceDefinition.fullName,
  InfoServiceDefinition.fullName,
  PanicServiceDefinition.fullName,
  StatusServiceDefinition.fullName,
  TokenServiceDefinition.fullName,
  VersionServiceDefinition.fullName
].sort()

/**
 * The gRPC listener binds every interface whatever `--host` says (spec §1). `[::]` also
 * accepts IPv4 on a dual-stack host, like Go's `:port`; `listen` falls back to `0.0.0.0`
 * where IPv6 is off.
 */
export function grpcListenAddress (config: Config): string {
  return `[::]:${config.grpcPort}`
}

/** podinfo's gRPC server (spec §11): the 9 podinfo services, health and reflection. */
export function buildGrpcServer (deps: GrpcDeps): GrpcServer {
  const { config, state, log } = deps
  const exit = deps.exit ?? ((code: number) => process.exit(code))
  const draining = new AbortController() // graceful stop started: Watch streams end
  const stopped = new AbortController() // forced stop: sleeping Delay and Panic calls end
  setMaxListeners(0, draining.signal, stopped.signal) // one listener per open call, no limit

  const server = createServer({ interceptors: [headerInterceptor] })
  const health = healthService(state, config.grpcServiceName, draining.signal)
  const reflection = reflectionService(GRPC_SERVICE_NAMES)
  server.add(DelayServiceDefinition, delayService(stopped.signal))
  server.add(EchoServiceDefinition, echoService(log))
  server.add(EnvServiceDefinition, envService(deps.env))
  server.add(HeaderServiceDefinition, headerService())
  server.add(InfoServiceDefinition, infoService(config))
  server.add(PanicServiceDefinition, panicService(log, exit, stopped.signal))
  server.add(StatusServiceDefinition, statusService())
  server.add(TokenServiceDefinition, tokenService(config.jwtSecret))
  server.add(VersionServiceDefinition, versionService(config))
  server.add(HealthDefinition, health.implementation)
  server.add(ServerReflectionService, reflection)
  server.add(ServerReflectionV1AlphaService, reflection)

  return {
    async listen (address) {
      try {
        return await server.listen(address)
      } catch (err) {
        if (!address.startsWith('[::]:')) throw err
        return await server.listen('0.0.0.0:' + address.slice('[::]:'.length))
      }
    },

    async shutdown () {
      health.close()
      draining.abort()
      await server.shutdown()
    },

    forceShutdown () {
      health.close()
      draining.abort()
      stopped.abort()
      server.forceShutdown()
    }
  }
}
