import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { PPROF_INDEX as INDEX } from '../lib/pprof.js'

/**
 * `{P}/debug/pprof/**` (spec §6.20, compat.md §1): the route is kept so metrics labels and
 * fault-injection exclusions match podinfo, but Go's profiles do not exist in Node: the
 * index explains that and every profile path is 404. With a prefix, podinfo answers 404.
 */
const debug: FastifyPluginAsyncTypebox = async (app) => {
  const prefixed = app.config.prefix !== '/'
  app.all('/debug/pprof/*', {
    schema: {
      tags: ['Debug'],
      summary: 'Profiling index',
      description: 'explains how to profile the Node.js process',
      produces: ['text/html'],
      response: {
        200: Type.String({ description: 'OK' }),
        404: Type.String({ description: 'Not Found: profiles are not available in Node.js' }),
        405: Type.String({ description: 'Method Not Allowed' })
      }
    }
  }, async (request, reply) => {
    const rest = (request.params as { '*': string })['*']
    if (prefixed || rest !== '') {
      return reply.code(404).type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send('404 page not found\n')
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return reply.code(405).type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').header('allow', 'GET, HEAD').send('Method Not Allowed\n')
    }
    return reply.type('text/html; charset=utf-8').header('x-content-type-options', 'nosniff').send(INDEX)
  })
}

export default debug
