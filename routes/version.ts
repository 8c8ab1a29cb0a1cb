import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VersionResponseSchema } from '../schemas/info.js'

/** `GET {P}/version` (spec §6.2). */
const version: FastifyPluginAsyncTypebox = async (app) => {
  const body = { commit: app.config.revision, version: app.config.version }
  app.get('/version', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Version',
      description: 'returns podinfo version and git commit hash',
      consumes: [],
      response: { 200: VersionResponseSchema }
    }
  }, async () => body)
}

export default version
