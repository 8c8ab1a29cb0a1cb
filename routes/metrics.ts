import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

/** Any method on `{P}/metrics` (spec §6.18): the Prometheus text exposition. */
const metrics: FastifyPluginAsyncTypebox = async (app) => {
  app.all('/metrics', {
    schema: {
      tags: ['Kubernetes'],
      summary: 'Prometheus metrics',
      description: 'returns HTTP requests duration and Node.js runtime metrics',
      consumes: [],
      produces: ['text/plain'],
      response: { 200: Type.Unsafe<string | Buffer>({ type: 'string', description: 'OK' }) }
    }
  }, async (request, reply) => {
    const { body, headers } = await app.exposition(request.headers['accept-encoding'])
    return reply.headers(headers).send(body)
  })
}

export default metrics
