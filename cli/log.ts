import { fileURLToPath } from 'node:url'

/** A field value as podcli logs it: strings and numbers; times and durations pre-formatted. */
export type FieldValue = string | number | boolean

export interface Writer {
  write (chunk: string): unknown
}

/**
 * podcli's log lines (spec §16), in the layout of a zap development logger:
 * `<ISO8601 ts>\t<LEVEL>\t<caller>\t<message>\t<JSON fields>` on stderr. The JSON part is
 * written with a space after `:` and `,` and is left out when there are no fields.
 */
export class DevLogger {
  constructor (private readonly out: Writer, private readonly now: () => Date = () => new Date()) {}

  info (message: string, fields?: Record<string, FieldValue>): void {
    this.#write('INFO', message, fields, this.info)
  }

  warn (message: string, fields?: Record<string, FieldValue>): void {
    this.#write('WARN', message, fields, this.warn)
  }

  #write (level: string, message: string, fields: Record<string, FieldValue> | undefined, fn: Function): void {
    let line = `${iso8601(this.now())}\t${level}\t${caller(fn)}\t${message}`
    if (fields !== undefined && Object.keys(fields).length > 0) {
      line += '\t{' + Object.entries(fields).map(([k, v]) => `${zapString(k)}: ${zapValue(v)}`).join(', ') + '}'
    }
    this.out.write(line + '\n')
  }
}

/** zap's ISO8601 time encoder: `2006-01-02T15:04:05.000Z0700` in the local zone. */
export function iso8601 (date: Date): string {
  const offset = -date.getTimezoneOffset()
  const local = new Date(date.getTime() + offset * 60_000)
  const base = local.toISOString().slice(0, 23)
  if (offset === 0) return base + 'Z'
  const abs = Math.abs(offset)
  return base + (offset > 0 ? '+' : '-') +
    String(Math.floor(abs / 60)).padStart(2, '0') + String(abs % 60).padStart(2, '0')
}

function zapValue (value: FieldValue): string {
  if (typeof value === 'string') return zapString(value)
  if (typeof value === 'number' && !Number.isFinite(value)) return zapString(String(value).replace('Infinity', 'Inf'))
  return String(value)
}

/** JSON string the way zap writes it: no HTML escaping, control bytes as `\u00XX`. */
export function zapString (text: string): string {
  let out = '"'
  for (let ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (code >= 0xd800 && code <= 0xdfff) ch = '\ufffd'
    if (ch === '"' || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20) out += '\\u00' + code.toString(16).padStart(2, '0')
    else out += ch
  }
  return out + '"'
}

/** `dir/file:line` of the function that called the logger (zap's short caller encoder). */
function caller (fn: Function): string {
  const holder: { stack?: string } = {}
  Error.captureStackTrace(holder, fn)
  const frame = holder.stack?.split('\n')[1] ?? ''
  const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?$/.exec(frame.trim())
  if (match === null) return 'podcli/podcli:0'
  let file = match[1]
  if (file.startsWith('file://')) file = fileURLToPath(file)
  const parts = file.split(/[\\/]/)
  return `${parts.slice(-2).join('/')}:${match[2]}`
}
