import { Type } from 'typebox'

/** `{seconds}`: one or more ASCII digits; parsed as a signed 64-bit integer by the handler. */
export const SecondsParamsSchema = Type.Object({
  seconds: Type.String({ pattern: '^[0-9]+$', description: 'seconds to wait for' })
})

/** `{"delay": n}` (spec §6.7); an int64 overflow answers the error envelope instead. */
export const DelayResponseSchema = Type.Object({
  delay: Type.Integer()
})
