import { Type } from 'typebox'
import { MapResponseSchema } from './common.js'

/** Echo responses (spec §6.4): the raw body back (202), or one string per backend (200). */
export const EchoResponseSchema = {
  200: Type.Array(Type.String(), { description: 'one result per backend, in --backend-url order' }),
  202: { ...MapResponseSchema, description: 'Accepted: the request body, byte for byte' }
}
