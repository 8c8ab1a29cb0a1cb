import type { FastifyBaseLogger } from 'fastify'
import type { EchoServiceImplementation } from './gen/echo/echo.js'

/** `/echo.EchoService/Echo` (spec §11.2): logs the body and answers with it unchanged. */
export function echoService (log: FastifyBaseLogger): EchoServiceImplementation {
  return {
    async echo ({ body }) {
      log.info({ input: body }, 'Received message body from client:')
      return { body }
    }
  }
}
