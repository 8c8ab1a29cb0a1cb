import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { echoRoutes } from '../../lib/echo.js'
import { RuntimeInfoCache, runtimeInfoSerializer } from '../../lib/info.js'
import { RuntimeResponseSchema } from '../../schemas/info.js'

/** `GET {P}/api/info` (spec §6.1) and any method on `{P}/api/echo[/**]` (spec §6.4). */
const api: FastifyPluginAsyncTypebox = async (app) => {
  const info = new RuntimeInfoCache(app.config)
  app.get('/info', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Runtime information',
      description: 'returns the runtime information',
      response: { 200: RuntimeResponseSchema }
    },
    // the same frozen object until the goroutine count changes: its JSON is written once
    serializerCompiler: runtimeInfoSerializer
  }, () => info.get()) // not async: see routes/root.ts

  echoRoutes(app)
}

export default api
