import { Type } from 'typebox'

/** `GET /configs` (spec §6.14): file name → content, keys sorted as Go sorts a map. */
export const ConfigsResponseSchema = Type.Object({}, {
  additionalProperties: Type.String(),
  description: 'config file name → content'
})
