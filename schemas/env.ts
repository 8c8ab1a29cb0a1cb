import { Type } from 'typebox'

/** `NAME=value` for every process environment variable (spec §6.5). */
export const EnvResponseSchema = Type.Array(Type.String())

/** Canonical header name → every value, in arrival order (spec §6.6). */
export const HeadersResponseSchema = Type.Object({}, { additionalProperties: Type.Array(Type.String()) })
