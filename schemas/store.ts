import { Type } from 'typebox'

/** `{hash}`: podinfo routes any non-`/` text here; the handler accepts only a SHA-1. */
export const HashParamsSchema = Type.Object({
  hash: Type.String({ description: 'hash value' })
})

/** `POST|PUT /store` (spec §6.12): 202 `{"hash": "<sha1>"}`. */
export const StoreWriteResponseSchema = {
  202: Type.Object({
    hash: Type.String({ description: 'SHA-1 of the content, 40 lower-case hex characters' })
  }, { description: 'Accepted: the content is stored under its hash' })
}

/** `GET /store/{hash}` (spec §6.12): the stored bytes with a 202, as podinfo answers. */
export const StoreReadResponseSchema = {
  202: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'Accepted: the file content (application/octet-stream)' })
}
