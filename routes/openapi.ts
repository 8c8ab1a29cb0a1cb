import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiDocumentSchema } from '../schemas/swagger.js'

/**
 * `GET {P}/openapi.json` (compat.md §3): the routes of `{P}/swagger.json` as OpenAPI 3.1,
 * with `servers[0].url` = the prefix.
 */
const openapi: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/openapi.json', {
    schema: {
      tags: ['Swagger'],
      summary: 'OpenAPI document',
      description: 'returns the routes of this document as OpenAPI 3.1',
      consumes: [],
      response: { 200: ApiDocumentSchema }
    }
  }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(app.apiDocs.openapiJson))
}

export default openapi
