import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EnvelopeError } from '../lib/errors.js'
import { CacheDeleteResponseSchema, CacheKeyParamsSchema, CacheReadResponseSchema, CacheWriteResponseSchema } from '../schemas/cache.js'

/**
 * `{P}/cache/{key}` (spec §6.13): POST/PUT store the body under the key (no TTL), DELETE
 * removes it, GET returns it. Without `--cache-server` every call is the 400 "cache server is
 * offline" envelope and the body is not read; with Redis down, each answers podinfo's failure
 * within the cache plugin's time bounds — a write is never reported done unless Redis
 * confirmed it.
 */
const cache: FastifyPluginAsyncTypebox = async (app) => {
  // `{key}` is one or more characters: `/cache/` is a 404, not an empty key
  const redis = app.cache
  const tags = ['HTTP API']
  const params = CacheKeyParamsSchema

  app.route({
    method: ['POST', 'PUT'],
    url: '/cache/:key(^.+$)',
    config: { rawBody: redis !== null, muxTemplate: '/cache/{key}' },
    schema: { tags, summary: 'Save payload in cache', description: 'writes the posted content in cache', params, response: CacheWriteResponseSchema },
    handler: async (request, reply) => {
      if (redis === null) throw offline()
      try {
        await redis.set(request.params.key, request.body as Buffer)
      } catch (err) {
        request.log.warn({ error: (err as Error).message }, 'cache set failed')
        throw new EnvelopeError(500, 'cache set failed')
      }
      return reply.code(202).send()
    }
  })

  app.delete('/cache/:key(^.+$)', {
    config: { muxTemplate: '/cache/{key}' },
    schema: { tags, summary: 'Delete payload from cache', description: 'deletes the key and its value from cache', params, response: CacheDeleteResponseSchema }
  }, async (request, reply) => {
    if (redis === null) throw offline()
    try {
      await redis.del(request.params.key)
    } catch (err) {
      request.log.warn({ error: (err as Error).message }, 'cache delete failed')
      return reply.code(400).send()
    }
    return reply.code(202).send()
  })

  app.get('/cache/:key(^.+$)', {
    config: { metricsName: 'cache' },
    schema: { tags, summary: 'Get payload from cache', description: 'returns the content from cache if key exists', params, response: CacheReadResponseSchema }
  }, async (request, reply) => {
    if (redis === null) throw offline()
    const { key } = request.params
    let exists: boolean
    try {
      exists = await redis.exists(key)
    } catch (err) {
      request.log.warn({ error: (err as Error).message }, 'cache exists failed')
      return reply.code(404).send()
    }
    if (!exists) return reply.code(404).send()
    let value: Buffer | null
    try {
      value = await redis.get(key)
    } catch (err) {
      request.log.warn({ error: (err as Error).message }, 'cache get failed')
      return reply.code(500).send()
    }
    if (value === null) return reply.code(500).send() // gone between EXISTS and GET: redigo's ErrNil
    return reply.code(200)
      .header('content-type', 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(value)
  })
}

function offline (): EnvelopeError {
  return new EnvelopeError(400, 'cache server is offline')
}

export default cache
