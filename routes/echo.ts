import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { echo } from '../lib/echo.js'
import { EchoResponseSchema } from '../schemas/echo.js'

/** Any method on `{P}/echo` and `{P}/echo/**` (spec §6.4). */
const echoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const options = {
    config: { rawBody: true },
    schema: {
      tags: ['HTTP API'],
      summary: 'Echo',
      description: 'forwards the call to the backend service and echos the posted content',
      response: EchoResponseSchema
    }
  }
  app.all('/echo', options, (request, reply) => echo(app, request, reply))
  app.all('/echo/*', options, (request, reply) => echo(app, request, reply))
}

export default echoRoutes
