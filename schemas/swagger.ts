import { Type } from 'typebox'

/**
 * The shared definitions of podinfo's Swagger document (spec §18), added with `addSchema` by
 * plugins/swagger.ts. A route response schema with the same shape (same property names and
 * types) is documented as a `$ref` to one of these; the routes keep their own inline schemas,
 * which drive serialization.
 */
export const MapResponseDefinition = Type.Object({}, {
  $id: 'http.MapResponse',
  additionalProperties: Type.String()
})

export const RuntimeResponseDefinition = Type.Object({
  color: Type.String(),
  goarch: Type.String(),
  goos: Type.String(),
  hostname: Type.String(),
  logo: Type.String(),
  message: Type.String(),
  num_cpu: Type.String(),
  num_goroutine: Type.String(),
  revision: Type.String(),
  runtime: Type.String(),
  version: Type.String()
}, { $id: 'http.RuntimeResponse' })

export const TokenResponseDefinition = Type.Object({
  expires_at: Type.String(),
  token: Type.String()
}, { $id: 'http.TokenResponse' })

export const TokenValidationResponseDefinition = Type.Object({
  expires_at: Type.String(),
  token_name: Type.String()
}, { $id: 'http.TokenValidationResponse' })

/** In the order they are added (the document lists them sorted). */
export const SharedDefinitions = [
  MapResponseDefinition,
  RuntimeResponseDefinition,
  TokenResponseDefinition,
  TokenValidationResponseDefinition
]

/** The response of the routes that serve an API document (swagger.json, openapi.json). */
export const ApiDocumentSchema = Type.Unsafe<string>({
  type: 'object',
  description: 'OK: the API document'
})
