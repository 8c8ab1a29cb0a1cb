import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EnvResponseSchema } from '../schemas/env.js'

/**
 * `GET|POST {P}/env` (spec §6.5): the process environment as `NAME=value` strings. The JWT
 * secret is never shown (compat.md §3).
 */
const env: FastifyPluginAsyncTypebox = async (app) => {
  const options = {
    schema: {
      tags: ['HTTP API'],
      summary: 'Environment',
      description: 'returns the environment variables as a JSON array',
      response: { 200: EnvResponseSchema }
    }
  }
  const handler = async (): Promise<string[]> => app.environment()
  app.get('/env', options, handler)
  app.post('/env', options, handler)
}

export default env
