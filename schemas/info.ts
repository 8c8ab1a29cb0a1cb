import { Type, type Static } from 'typebox'

/** podinfo's `http.RuntimeResponse` (spec §6.1), fields in podinfo's order. */
export const RuntimeResponseSchema = Type.Object({
  hostname: Type.String(),
  version: Type.String(),
  revision: Type.String(),
  color: Type.String(),
  logo: Type.String(),
  message: Type.String(),
  goos: Type.String(),
  goarch: Type.String(),
  runtime: Type.String(),
  num_goroutine: Type.String(),
  num_cpu: Type.String()
}, { title: 'http.RuntimeResponse' })
export type RuntimeResponse = Static<typeof RuntimeResponseSchema>

/** `GET /version` (spec §6.2): a Go map, so the keys come sorted. */
export const VersionResponseSchema = Type.Object({
  commit: Type.String(),
  version: Type.String()
})
