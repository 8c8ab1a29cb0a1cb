import { Type, type Static } from 'typebox'

/** podinfo's error envelope (spec §4.7): sent with HTTP 200 unless a route says otherwise. */
export const EnvelopeSchema = Type.Object({
  code: Type.Integer(),
  message: Type.String()
})
export type Envelope = Static<typeof EnvelopeSchema>

/** `{"status": "OK"}` from the probes. */
export const StatusOkSchema = Type.Object({
  status: Type.String()
})

/** podinfo's `http.MapResponse`: a Go map, serialized with sorted keys. */
export const MapResponseSchema = Type.Object({}, { additionalProperties: Type.String() })

/** A response with no body and no content type (spec: "Empty"). */
export const EmptySchema = Type.Unsafe<undefined>({ type: 'null', description: 'no body' })
