import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProbeResponseSchema } from '../schemas/probes.js'

/** `GET {P}/healthz` (spec §6.8): 200 while healthy, 503 (no body) otherwise. */
const healthz: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    schema: {
      tags: ['Kubernetes'],
      summary: 'Liveness check',
      description: 'used by Kubernetes liveness probe',
      response: ProbeResponseSchema
    }
  }, (_request, reply) => { // not async: probes and load tests call it all the time
    if (!app.state.healthy) {
      reply.code(503).send()
      return
    }
    return { status: 'OK' }
  })
}

export default healthz
