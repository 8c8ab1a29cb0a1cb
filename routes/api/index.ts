import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { echo } from '../../lib/echo.js'
import { runtimeInfo } from '../../lib/info.js'
import { EchoResponseSchema } from '../../schemas/echo.js'
import { RuntimeResponseSchema } from '../../schemas/info.js'

/** `GET {P}/api/info` (spec §6.1) and any method on `{P}/api/echo[/**]` (spec §6.4). */
const api: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/info', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Runtime information',
      description: 'returns the runtime information',
      response: { 200: RuntimeResponseSchema }
    }
  }, async () => runtimeInfo(app.config))

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

export default api
