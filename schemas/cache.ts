import { Type } from 'typebox'
import { EmptySchema } from './common.js'

/** `{key}`: one or more non-`/` characters, used verbatim as the Redis key. */
export const CacheKeyParamsSchema = Type.Object({
  key: Type.String({ description: 'Key to load from cache' })
})

const empty = (description: string) => ({ ...EmptySchema, description })

/** `POST|PUT /cache/{key}` (spec §6.13); failures are the error envelope with HTTP 200. */
export const CacheWriteResponseSchema = {
  202: empty('Accepted: stored (no TTL)')
}

/** `DELETE /cache/{key}`. */
export const CacheDeleteResponseSchema = {
  202: empty('Accepted: deleted, or did not exist'),
  400: empty('Bad Request: Redis failed')
}

/** `GET /cache/{key}`: the value as raw bytes. */
export const CacheReadResponseSchema = {
  200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the value (application/octet-stream)' }),
  404: empty('Not Found: no such key, or Redis failed on EXISTS'),
  500: empty('Internal Server Error: Redis failed on GET')
}
