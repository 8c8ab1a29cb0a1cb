import { EnvelopeError } from './errors.js'

const MAX_INT64 = 2n ** 63n - 1n

/**
 * Go's `strconv.Atoi` for a path variable that the route already limited to digits: the
 * value, or podinfo's 400 envelope on overflow (spec §6.7, §6.11).
 */
export function atoi (digits: string): number {
  const value = BigInt(digits)
  if (value > MAX_INT64) {
    throw new EnvelopeError(400, `strconv.Atoi: parsing "${digits}": value out of range`)
  }
  return Number(value)
}

/** Like `atoi`, but `undefined` on overflow (used by `/chunked`, spec §6.17). */
export function atoiOrUndefined (digits: string): number | undefined {
  const value = BigInt(digits)
  return value > MAX_INT64 ? undefined : Number(value)
}
