import { Type, type Static } from 'typebox'

/** `POST /token` (spec §6.15): podinfo's `http.TokenResponse`, fields in this order. */
export const TokenResponseSchema = Type.Object({
  token: Type.String({ description: 'JWT, HS256, valid for one minute' }),
  expires_at: Type.String({ description: 'RFC 3339 expiry time' })
})
export type TokenResponse = Static<typeof TokenResponseSchema>

/** `GET /token/validate` (spec §6.15): podinfo's `http.TokenValidationResponse`. */
export const TokenValidationResponseSchema = Type.Object({
  token_name: Type.String({ description: 'the name claim' }),
  expires_at: Type.String({ description: 'RFC 3339 expiry time' })
})
export type TokenValidationResponse = Static<typeof TokenValidationResponseSchema>
