import { Type } from 'typebox'
import { EmptySchema, StatusOkSchema } from './common.js'

export const ProbeResponseSchema = {
  200: StatusOkSchema,
  503: { ...EmptySchema, description: 'Service Unavailable: not healthy or not ready (no body)' }
}

export const AcceptedEmptySchema = {
  202: { ...EmptySchema, description: 'Accepted (no body)' }
}

/** `{"fault_injection": "enabled"|"disabled"}` (spec §6.9). */
export const FaultInjectionSchema = Type.Object({
  fault_injection: Type.Enum(['enabled', 'disabled'])
})
