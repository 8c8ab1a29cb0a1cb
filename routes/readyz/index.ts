import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AcceptedEmptySchema, ProbeResponseSchema } from '../../schemas/probes.js'

/**
 * `GET {P}/readyz` and `POST {P}/readyz/enable|disable` (spec §6.8). The flag is shared
 * with the gRPC health service.
 */
const readyz: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', {
    prefixTrailingSlash: 'no-slash', // `/readyz/` is 404, as in podinfo
    schema: {
      tags: ['Kubernetes'],
      summary: 'Readiness check',
      description: 'used by Kubernetes readiness probe',
      response: ProbeResponseSchema
    }
  }, (_request, reply) => { // not async: probes and load tests call it all the time
    if (!app.state.ready) {
      reply.code(503).send()
      return
    }
    return { status: 'OK' }
  })

  app.post('/enable', {
    schema: {
      tags: ['Kubernetes'],
      summary: 'Enable ready state',
      description: 'signals the Kubernetes LB that this instance is ready to receive traffic',
      response: AcceptedEmptySchema
    }
  }, async (_request, reply) => {
    app.state.setReady(true)
    return reply.code(202).send()
  })

  app.post('/disable', {
    schema: {
      tags: ['Kubernetes'],
      summary: 'Disable ready state',
      description: 'signals the Kubernetes LB to stop sending requests to this instance',
      response: AcceptedEmptySchema
    }
  }, async (_request, reply) => {
    app.state.setReady(false)
    return reply.code(202).send()
  })
}

export default readyz
