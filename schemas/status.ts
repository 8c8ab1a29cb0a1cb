import { Type } from 'typebox'

/** `{code}`: one or more ASCII digits; parsed as a signed 64-bit integer by the handler. */
export const CodeParamsSchema = Type.Object({
  code: Type.String({ pattern: '^[0-9]+$', description: 'status code to return' })
})

/** `{"status": code}` (spec §6.11). */
export const StatusResponseSchema = Type.Object({
  status: Type.Integer()
})
