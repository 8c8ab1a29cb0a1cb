import type { FastifyBaseLogger } from 'fastify'
import { ServerError, Status } from 'nice-grpc'
import type { PanicServiceImplementation } from './gen/panic.js'

/** podinfo's exit code for gRPC Panic (HTTP `/panic` uses 255). */
export const PANIC_EXIT_CODE = 225

/**
 * `/panic.PanicService/Panic` (spec §11.2): logs `Panic command received` and ends the
 * process with exit code 225 without replying. `exit` is `process.exit` in the server; when
 * it returns (tests), the call stays unanswered until the server stops.
 */
export function panicService (log: FastifyBaseLogger, exit: (code: number) => void, stopped: AbortSignal): PanicServiceImplementation {
  return {
    async panic () {
      log.info('Panic command received')
      exit(PANIC_EXIT_CODE)
      await new Promise((resolve) => {
        if (stopped.aborted) resolve(undefined)
        else stopped.addEventListener('abort', resolve, { once: true })
      })
      throw new ServerError(Status.UNAVAILABLE, 'server is stopping')
    }
  }
}
