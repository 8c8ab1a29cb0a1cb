import { ServerError, Status } from 'nice-grpc'
import { HealthState, HealthServiceImpl } from 'nice-grpc-server-health'
import type { ServiceState } from '../lib/state.js'
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckResponse,
  type HealthServiceImplementation
} from './gen/grpc/health/v1/health.js'

export interface GrpcHealth {
  implementation: HealthServiceImplementation
  /** Stops following the readiness flag. */
  close (): void
}

/**
 * `grpc.health.v1.Health` (spec §11.3) for `""` and `--grpc-service-name`. Both follow the
 * readiness flag that `/readyz` reports: SERVING while ready, NOT_SERVING after `--unready`,
 * `POST /readyz/disable` or the start of a shutdown. The statuses live in
 * nice-grpc-server-health's `HealthState`, whose service answers Watch; Check keeps
 * grpc-go's NOT_FOUND text, and List (not in that package) is answered here.
 *
 * `draining` ends open Watch streams, so they do not hold up a graceful stop.
 */
export function healthService (state: ServiceState, serviceName: string, draining: AbortSignal): GrpcHealth {
  const names = [...new Set(['', serviceName])]
  const health = HealthState()
  health.setMaxListeners(0) // one listener per open Watch stream
  const follow = (ready: boolean): void => {
    for (const name of names) health.setStatus(ready ? 'healthy' : 'unhealthy', name)
  }
  follow(state.ready)
  state.on('ready', follow)
  const watcher = HealthServiceImpl(health)

  const statusOf = (service: string): HealthCheckResponse => {
    const status = health.getStatus(service)
    return { status: status === 'healthy' ? ServingStatus.SERVING : ServingStatus.NOT_SERVING }
  }

  const implementation: HealthServiceImplementation = {
    async check ({ service }) {
      if (health.getStatus(service) === 'unknown') throw new ServerError(Status.NOT_FOUND, 'unknown service')
      return statusOf(service)
    },

    async list () {
      return { statuses: Object.fromEntries(names.map((name) => [name, statusOf(name)])) }
    },

    async * watch (request, context) {
      if (draining.aborted) return
      const signal = AbortSignal.any([context.signal, draining])
      // nice-grpc-server-health yields once per status change; the reply is built here.
      const changes = watcher.watch(request, { ...context, signal })[Symbol.asyncIterator]()
      try {
        while (!(await changes.next()).done) {
          const status = health.getStatus(request.service)
          yield status === 'unknown' ? { status: ServingStatus.SERVICE_UNKNOWN } : statusOf(request.service)
        }
      } catch (err) {
        // The stream ends cleanly when the server drains; a client cancel stays an abort.
        if (!(draining.aborted && (err as Error).name === 'AbortError')) throw err
      } finally {
        await changes.return?.()
      }
    }
  }
  return { implementation, close: () => { state.off('ready', follow) } }
}
