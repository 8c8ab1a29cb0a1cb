/**
 * Go's `time.RFC3339Nano` in the server's local zone (spec §4.6): fractional seconds with
 * trailing zeros trimmed (and no `.` at all when the fraction is zero), `Z` for UTC,
 * otherwise `±hh:mm`. JavaScript's `toISOString()` (`…32.000Z`) is not the same thing.
 */
export function rfc3339Nano (date: Date): string {
  const offset = -date.getTimezoneOffset()
  const local = new Date(date.getTime() + offset * 60_000)
  const base = local.toISOString().slice(0, 19)
  const ms = date.getUTCMilliseconds()
  const fraction = ms === 0 ? '' : '.' + String(ms).padStart(3, '0').replace(/0+$/, '')
  return base + fraction + zone(offset)
}

/** `time.RFC3339` (no fraction), used for token expiry times. */
export function rfc3339 (date: Date): string {
  const offset = -date.getTimezoneOffset()
  const local = new Date(date.getTime() + offset * 60_000)
  return local.toISOString().slice(0, 19) + zone(offset)
}

function zone (offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z'
  const sign = offsetMinutes > 0 ? '+' : '-'
  const abs = Math.abs(offsetMinutes)
  return sign + String(Math.floor(abs / 60)).padStart(2, '0') + ':' + String(abs % 60).padStart(2, '0')
}
