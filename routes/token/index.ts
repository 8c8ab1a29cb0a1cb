import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EnvelopeError } from '../../lib/errors.js'
import { rfc3339 } from '../../lib/time.js'
import { TokenResponseSchema, TokenValidationResponseSchema } from '../../schemas/token.js'

/**
 * `POST {P}/token` and `GET {P}/token/validate` (spec §6.15). Failures are podinfo's 401
 * envelope with HTTP 200; the token work is `app.tokens` (plugins/jwt.ts).
 */
const token: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/', {
    prefixTrailingSlash: 'no-slash', // `/token/` is 404, as in podinfo
    config: { rawBody: true },
    schema: {
      tags: ['HTTP API'],
      summary: 'Generate JWT token',
      description: 'issues a JWT token valid for one minute',
      response: { 200: TokenResponseSchema }
    }
  }, async (request) => {
    const body = request.body as Buffer
    const { token, exp } = app.tokens.issue(body.length === 0 ? 'anonymous' : body)
    return { token, expires_at: rfc3339(new Date(exp * 1000)) }
  })

  app.get('/validate', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Validate JWT token',
      description: 'validates the JWT token',
      response: { 200: TokenValidationResponseSchema }
    }
  }, async (request) => {
    const token = bearerToken(request.headers.authorization)
    if (token === undefined) throw new EnvelopeError(401, 'authorization bearer header required')
    const result = app.tokens.validate(token)
    if (!result.ok) throw new EnvelopeError(401, result.message)
    return { token_name: result.name, expires_at: rfc3339(new Date(result.exp * 1000)) }
  })
}

/** podinfo's header rule: exactly `<bearer, any case><one space><token>`. */
function bearerToken (header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined
  const parts = header.split(' ')
  if (parts.length !== 2 || (parts[0] as string).toLowerCase() !== 'bearer') return undefined
  return parts[1]
}

export default token
