import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RuntimeInfoCache, runtimeInfoSerializer } from '../lib/info.js'
import { RuntimeResponseSchema } from '../schemas/info.js'

/**
 * `GET {P}/` (spec §6.1): runtime information as JSON, or the browser UI (spec §17) when the
 * User-Agent starts with `Mozilla`. With a prefix, both `{P}` and `{P}/` answer.
 */
const root: FastifyPluginAsyncTypebox = async (app) => {
  const info = new RuntimeInfoCache(app.config)
  app.get('/', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Index',
      description: 'renders podinfo UI',
      consumes: [],
      produces: ['text/html', 'application/json'],
      response: { 200: RuntimeResponseSchema }
    },
    // the same frozen object until the goroutine count changes: its JSON is written once
    serializerCompiler: runtimeInfoSerializer
  }, (request, reply) => {
    // Not async: the JSON answer is returned at once, without a promise and a microtask turn
    // per request (a load test's most requested route); the browser page is a promise.
    if (request.headers['user-agent']?.startsWith('Mozilla') === true) return app.renderUi(request, reply)
    return info.get()
  })
}

export default root
