import { ServerError, Status } from 'nice-grpc'
import { ISSUER, issueToken, parseToken, requireExpiry } from '../lib/jwt.js'
import type { TokenServiceImplementation } from './gen/token/token.js'

/**
 * `/token.TokenService/TokenGenerate` and `/TokenValidate` (spec §11.2): the JWTs of HTTP
 * `POST /token`, checked by the same rules as `GET /token/validate` (lib/jwt.ts).
 */
export function tokenService (secret: string, now: () => Date = () => new Date()): TokenServiceImplementation {
  return {
    async tokenGenerate () {
      const { token, exp } = issueToken(secret, 'anonymous', now())
      return { token, expiresAt: goTimeString(new Date(exp * 1000)), message: 'Token generated successfully' }
    },

    async tokenValidate (_request, { metadata }) {
      const values = metadata.getAll('authorization')
      if (values.length === 0) {
        throw new ServerError(Status.UNAUTHENTICATED, 'Authorization token not found in metadata')
      }
      const first = values[0] as string
      const token = (first.startsWith('Bearer') ? first.slice('Bearer'.length) : first).trim()
      const result = parseToken(secret, token, now())
      if (!result.ok) {
        // podinfo answers these two with an OK reply that carries only the error text.
        if (result.message.includes('token is expired') || result.message.includes('signature is invalid')) {
          return { message: result.message }
        }
        throw new ServerError(Status.UNAUTHENTICATED, 'Unable to parse token')
      }
      // podinfo builds an error with code OK here, which grpc-go sends as an empty reply.
      if (result.claims.iss !== ISSUER) return {}
      const missingExp = requireExpiry(result.claims)
      if (missingExp !== undefined || result.claims.exp === undefined) {
        // podinfo dereferences the missing expiry and crashes; we refuse the token.
        throw new ServerError(Status.UNAUTHENTICATED, missingExp ?? 'token has no expiry')
      }
      return { token: result.claims.name ?? '', expiresAt: goTimeString(new Date(result.claims.exp * 1000)) }
    }
  }
}

/**
 * Go's `time.Time.String()` for a whole-second time in the local zone:
 * `2026-07-22 10:24:32 +0000 UTC`. The zone abbreviation is the English one where ICU has
 * it (UTC, EST, CET, IST, AEDT, ...), otherwise the numeric form tzdata uses (`-03`, `+0530`).
 */
export function goTimeString (date: Date): string {
  const offset = -date.getTimezoneOffset()
  const local = new Date(date.getTime() + offset * 60_000)
  const stamp = local.toISOString().slice(0, 19).replace('T', ' ')
  const sign = offset < 0 ? '-' : '+'
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')
  const mm = String(Math.abs(offset) % 60).padStart(2, '0')
  return `${stamp} ${sign}${hh}${mm} ${zoneAbbreviation(date, offset, sign + hh + (mm === '00' ? '' : mm))}`
}

const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU', 'en-NZ', 'en-ZA', 'en-IE', 'en-CA']

function zoneAbbreviation (date: Date, offset: number, numeric: string): string {
  for (const locale of ABBREVIATION_LOCALES) {
    const name = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' })
      .formatToParts(date).find((part) => part.type === 'timeZoneName')?.value
    if (name !== undefined && /^[A-Z]{2,5}$/.test(name) && (name !== 'GMT' || offset === 0)) return name
  }
  return numeric
}
