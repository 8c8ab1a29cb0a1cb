import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import { ISSUER, issueToken, parseToken, requireExpiry } from '../lib/jwt.js'
import { DEFAULT_JWT_SECRET } from '../schemas/config.js'

export type TokenCheck =
  | { ok: true, name: string, exp: number }
  | { ok: false, message: string }

export interface TokenService {
  /** podinfo's token for `name` (the raw request body, or a string). */
  issue: (name: string | Uint8Array, now?: Date) => { token: string, exp: number }
  /** podinfo's validation (spec §6.15 steps 3–4), plus RFC 8725's required `exp`. */
  validate: (token: string, now?: Date) => TokenCheck
}

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService
  }
}

const HMAC_ONLY = ['HS256', 'HS384', 'HS512'] as const

/**
 * JWTs for `/token` and `/token/validate` (and the gRPC TokenService, which uses lib/jwt.ts
 * directly). The split: podinfo clients compare token bytes and golang-jwt's error texts, and
 * fast-jwt (under @fastify/jwt) differs in both — it adds `iat`, leaves `<>&` unescaped,
 * words its errors its own way, and refuses some tokens golang-jwt accepts (case-folded claim
 * names, numeric strings). So `app.tokens` (lib/jwt.ts) serves the podinfo routes, and
 * @fastify/jwt is registered with the same secret and RFC 8725 settings (HMAC only, `iss` and
 * `exp` required) as `app.jwt` / `request.jwtVerify()` for routes that are not podinfo's.
 * The secret stays in this closure: it is never logged, and `/env` and `/configs` redact it.
 */
export default fp(async function jwt (app) {
  const secret = app.config.jwtSecret
  if (secret === DEFAULT_JWT_SECRET) {
    app.log.warn('jwt-secret is podinfo\'s public default, so anyone can mint tokens this server accepts: set PODINFO_JWT_SECRET or jwt-secret in the config file')
  } else if (secret === '') {
    app.log.warn('jwt-secret is empty, so anyone can mint tokens this server accepts: set PODINFO_JWT_SECRET or jwt-secret in the config file')
  }

  // @fastify/jwt refuses an empty secret; podinfo signs with it anyway.
  if (secret !== '') {
    await app.register(fastifyJwt, {
      secret,
      sign: { algorithm: 'HS256', iss: ISSUER, expiresIn: 60_000, noTimestamp: true },
      verify: { algorithms: [...HMAC_ONLY], allowedIss: ISSUER, requiredClaims: ['exp'], cache: false }
    })
  }
  app.decorate('tokens', {
    issue: (name, now) => issueToken(secret, name, now),
    validate (token, now) {
      const parsed = parseToken(secret, token, now)
      if (!parsed.ok) return parsed
      const { claims } = parsed
      if (claims.iss !== ISSUER) return { ok: false, message: 'invalid issuer' }
      const missing = requireExpiry(claims)
      if (missing !== undefined || claims.exp === undefined) return { ok: false, message: missing ?? '' }
      return { ok: true, name: claims.name ?? '', exp: claims.exp }
    }
  } satisfies TokenService)
}, { name: 'jwt', dependencies: [] })
