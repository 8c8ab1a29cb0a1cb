/**
 * Go `time.Duration` text, both ways: podinfo's duration flags use Go's syntax
 * (`300ms`, `1.5h`, `2m0s`, `1h30m`) and several messages print durations the way Go
 * does (`token is expired by 1m30.641880374s`).
 *
 * Internally durations are whole nanoseconds (bigint, like Go's int64). The
 * millisecond helpers convert at the edge: `parseGoDuration` returns milliseconds as a
 * number that may be fractional (`1.5µs` → 0.0015), and `formatGoDuration` accepts a
 * fractional number of milliseconds, rounded to the nearest nanosecond.
 */

const NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek small letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n
}

const MAX_MAGNITUDE = 1n << 63n // |min int64|; positive results must stay below it

/** Go's `time` package quoting: ASCII kept, `"` and `\` escaped, other bytes as `\xNN`. */
export function timeQuote (text: string): string {
  let out = '"'
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(ch, 'utf8')) out += '\\x' + byte.toString(16).padStart(2, '0')
    } else {
      if (ch === '"' || ch === '\\') out += '\\'
      out += ch
    }
  }
  return out + '"'
}

function isDigit (ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9'
}

/**
 * Parses Go duration syntax exactly like `time.ParseDuration` and returns nanoseconds.
 * Throws an `Error` carrying Go's own message, e.g. `time: invalid duration "10x"`,
 * `time: missing unit in duration "10"`, `time: unknown unit "d" in duration "1d"`.
 */
export function parseGoDurationNs (text: string): bigint {
  const invalid = (): Error => new Error('time: invalid duration ' + timeQuote(text))
  let s = text
  let neg = false
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-'
    s = s.slice(1)
  }
  if (s === '0') return 0n
  if (s === '') throw invalid()
  let total = 0n
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid()
    // leading integer
    let i = 0
    let whole = 0n
    while (isDigit(s[i])) {
      if (whole > MAX_MAGNITUDE / 10n) throw invalid()
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48)
      if (whole > MAX_MAGNITUDE) throw invalid()
      i++
    }
    const pre = i > 0
    s = s.slice(i)
    // fraction
    let frac = 0n
    let scale = 1
    let post = false
    if (s[0] === '.') {
      s = s.slice(1)
      let j = 0
      let overflow = false
      while (isDigit(s[j])) {
        if (!overflow) {
          if (frac > (MAX_MAGNITUDE - 1n) / 10n) {
            overflow = true
          } else {
            const next = frac * 10n + BigInt(s.charCodeAt(j) - 48)
            if (next > MAX_MAGNITUDE) overflow = true
            else { frac = next; scale *= 10 }
          }
        }
        j++
      }
      post = j > 0
      s = s.slice(j)
    }
    if (!pre && !post) throw invalid()
    // unit
    let u = 0
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++
    if (u === 0) throw new Error('time: missing unit in duration ' + timeQuote(text))
    const unitName = s.slice(0, u)
    s = s.slice(u)
    const unit = NS[unitName]
    if (unit === undefined) {
      throw new Error('time: unknown unit ' + timeQuote(unitName) + ' in duration ' + timeQuote(text))
    }
    if (whole > MAX_MAGNITUDE / unit) throw invalid()
    let v = whole * unit
    if (frac > 0n) {
      // Go uses float64 here as well: exact to the nanosecond for fractions of an hour
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)))
      if (v > MAX_MAGNITUDE) throw invalid()
    }
    total += v
    if (total > MAX_MAGNITUDE) throw invalid()
  }
  if (neg) return -total
  if (total > MAX_MAGNITUDE - 1n) throw invalid()
  return total
}

/** `time.ParseDuration`, in milliseconds (may be fractional: `1500us` → 1.5). */
export function parseGoDuration (text: string): number {
  return Number(parseGoDurationNs(text)) / 1e6
}

/** Go's fmtFrac: `.123` for v/10^prec with trailing zeros (and the dot) dropped. */
function fraction (v: bigint, prec: number): [string, bigint] {
  let digits = ''
  let print = false
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n
    print = print || digit !== 0n
    if (print) digits = digit.toString() + digits
    v /= 10n
  }
  return [print ? '.' + digits : '', v]
}

/** Exactly Go's `time.Duration.String()` for a number of nanoseconds. */
export function formatGoDurationNs (ns: bigint | number): string {
  let u = typeof ns === 'bigint' ? ns : BigInt(Math.round(ns))
  const neg = u < 0n
  if (neg) u = -u
  let out: string
  if (u < NS.s) {
    if (u === 0n) return '0s'
    let unit: string
    let prec: number
    if (u < NS.us) { unit = 'ns'; prec = 0 } else if (u < NS.ms) { unit = 'µs'; prec = 3 } else { unit = 'ms'; prec = 6 }
    const [frac, rest] = fraction(u, prec)
    out = rest.toString() + frac + unit
  } else {
    const [frac, secs] = fraction(u, 9)
    out = (secs % 60n).toString() + frac + 's'
    const mins = secs / 60n
    if (mins > 0n) {
      out = (mins % 60n).toString() + 'm' + out
      const hours = mins / 60n
      if (hours > 0n) out = hours.toString() + 'h' + out
    }
  }
  return neg ? '-' + out : out
}

/**
 * Exactly Go's `time.Duration.String()` for a duration given in milliseconds.
 * Fractional milliseconds are honoured down to the nanosecond (`90641.880374` →
 * `1m30.641880374s`, `0.5` → `500µs`).
 */
export function formatGoDuration (ms: number): string {
  return formatGoDurationNs(BigInt(Math.round(ms * 1e6)))
}
