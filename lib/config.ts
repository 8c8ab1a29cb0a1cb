import { existsSync, readFileSync, statSync } from 'node:fs'
import { hostname as osHostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import envSchema from 'env-schema'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { ConfigSchema, DEFAULT_JWT_SECRET, VERSION, type Config } from '../schemas/config.js'
import { parseGoDurationNs } from './duration.js'

/**
 * podinfo's configuration (spec §2): pflag command-line parsing, PODINFO_* environment
 * variables, an optional config file, Go value conversions and podinfo's startup checks.
 * `loadConfig` is pure apart from reading the config file and the REVISION file: it never
 * reads `process.env` or `process.argv` itself, and it never exits. Everything that would
 * end the process is thrown as a `ConfigExit` carrying the exit code and the exact output.
 */

/** Thrown when podinfo would stop during configuration: `--help`, `--version`, errors. */
export class ConfigExit extends Error {
  readonly code: number
  readonly stdout: string
  readonly stderr: string

  constructor (code: number, stdout: string, stderr: string, message?: string) {
    super(message ?? (stderr.trim() || stdout.trim() || `exit ${code}`))
    this.name = 'ConfigExit'
    this.code = code
    this.stdout = stdout
    this.stderr = stderr
  }
}

export interface LoadOptions {
  /** directory a relative `--config-path`/`--config` is resolved against (default: the process cwd) */
  cwd?: string
  /** the reported hostname (default: `os.hostname()`) */
  hostname?: string
  /** the build revision (default: the package's REVISION file, else `unknown`) */
  revision?: string
  /** receives podinfo's stdout lines (`Error reading config file, …`), without the newline */
  stdout?: (line: string) => void
}

type FlagType = 'string' | 'int' | 'bool' | 'duration' | 'strings'

interface FlagDef {
  readonly name: string
  readonly type: FlagType
  /** the default as pflag prints it (Go syntax for durations) */
  readonly def: string
  readonly usage: string
  readonly shorthand?: string
}

/** podinfo's flags, in registration order (cmd/podinfo/main.go). */
const FLAGS: readonly FlagDef[] = [
  { name: 'host', type: 'string', def: '', usage: 'Host to bind service to' },
  { name: 'prefix', type: 'string', def: '/', usage: 'URL path prefix for HTTP routes' },
  { name: 'port', type: 'int', def: '9898', usage: 'HTTP port to bind service to' },
  { name: 'secure-port', type: 'int', def: '0', usage: 'HTTPS port' },
  { name: 'port-metrics', type: 'int', def: '0', usage: 'metrics port' },
  { name: 'grpc-port', type: 'int', def: '0', usage: 'gRPC port' },
  { name: 'grpc-service-name', type: 'string', def: 'podinfo', usage: 'gPRC service name' },
  { name: 'level', type: 'string', def: 'info', usage: 'log level debug, info, warn, error, fatal or panic' },
  { name: 'backend-url', type: 'strings', def: '[]', usage: 'backend service URL' },
  { name: 'http-client-timeout', type: 'duration', def: '2m0s', usage: 'client timeout duration' },
  { name: 'http-server-timeout', type: 'duration', def: '30s', usage: 'server read and write timeout duration' },
  { name: 'server-shutdown-timeout', type: 'duration', def: '5s', usage: 'server graceful shutdown timeout duration' },
  { name: 'data-path', type: 'string', def: '/data', usage: 'data local path' },
  { name: 'config-path', type: 'string', def: '', usage: 'config dir path' },
  { name: 'cert-path', type: 'string', def: '/data/cert', usage: 'certificate path for HTTPS port' },
  { name: 'config', type: 'string', def: 'config.yaml', usage: 'config file name' },
  { name: 'ui-path', type: 'string', def: './ui', usage: 'UI local path' },
  { name: 'ui-logo', type: 'string', def: '', usage: 'UI logo' },
  { name: 'ui-color', type: 'string', def: '#34577c', usage: 'UI color' },
  { name: 'ui-message', type: 'string', def: `greetings from podinfo v${VERSION}`, usage: 'UI message' },
  { name: 'h2c', type: 'bool', def: 'false', usage: 'allow upgrading to H2C' },
  { name: 'random-delay', type: 'bool', def: 'false', usage: 'between 0 and 5 seconds random delay by default' },
  { name: 'random-delay-unit', type: 'string', def: 's', usage: 'either s(seconds) or ms(milliseconds' },
  { name: 'random-delay-min', type: 'int', def: '0', usage: 'min for random delay: 0 by default' },
  { name: 'random-delay-max', type: 'int', def: '5', usage: 'max for random delay: 5 by default' },
  { name: 'random-error', type: 'bool', def: 'false', usage: '1/3 chances of a random response error' },
  { name: 'unhealthy', type: 'bool', def: 'false', usage: 'when set, healthy state is never reached' },
  { name: 'unready', type: 'bool', def: 'false', usage: 'when set, ready state is never reached' },
  { name: 'stress-cpu', type: 'int', def: '0', usage: 'number of CPU cores with 100 load' },
  { name: 'stress-memory', type: 'int', def: '0', usage: 'MB of data to load into memory' },
  { name: 'cache-server', type: 'string', def: '', usage: "Redis address in the format 'tcp://<host>:<port>'" },
  { name: 'otel-service-name', type: 'string', def: '', usage: 'service name for OpenTelemetry, when not set tracing and log export are disabled' },
  { name: 'version', type: 'bool', def: 'false', usage: 'get version number', shorthand: 'v' }
]

const FLAG_BY_NAME: ReadonlyMap<string, FlagDef> = new Map(FLAGS.map((f) => [f.name, f]))

/** Keys the config file and the environment may set without a flag (spec §2.1). */
const FLAGLESS_DEFAULTS: Readonly<Record<string, string>> = {
  'jwt-secret': DEFAULT_JWT_SECRET
}
/** viper defaults that beat the flag default (spec §2.2 step 4). */
const VIPER_DEFAULTS: Readonly<Record<string, string>> = {
  'jwt-secret': DEFAULT_JWT_SECRET,
  'ui-logo': 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif'
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'panic'] as const

/** viper's config-file search order (spec §2.3). */
const CONFIG_EXTENSIONS = ['json', 'toml', 'yaml', 'yml', 'properties', 'props', 'prop', 'hcl', 'tfvars', 'dotenv', 'env', 'ini'] as const

// ---------------------------------------------------------------------------------------
// Go formatting helpers

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u

function escapeCodePoint (code: number, quote: string): string {
  const ch = String.fromCodePoint(code)
  if (ch === quote || ch === '\\') return '\\' + ch
  if (PRINTABLE.test(ch)) return ch
  switch (ch) {
    case '\x07': return '\\a'
    case '\b': return '\\b'
    case '\f': return '\\f'
    case '\n': return '\\n'
    case '\r': return '\\r'
    case '\t': return '\\t'
    case '\v': return '\\v'
  }
  if (code < 0x20 || code === 0x7f) return '\\x' + code.toString(16).padStart(2, '0')
  if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0')
  return '\\U' + code.toString(16).padStart(8, '0')
}

/** Go's `strconv.Quote` (what `%q` prints for a string). */
export function goQuote (text: string): string {
  let out = '"'
  for (const ch of text) out += escapeCodePoint(ch.codePointAt(0) ?? 0, '"')
  return out + '"'
}

/** Go's `%q` of a byte: a quoted rune literal such as `'p'`. */
function goQuoteByte (byte: number): string {
  return "'" + escapeCodePoint(byte, "'") + "'"
}

/** One JSON log line as podinfo's zap logger writes it (`level`, `ts`, `msg`, fields). */
function logLine (level: string, msg: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ level, ts: new Date().toISOString(), msg, ...fields }) + '\n'
}

// ---------------------------------------------------------------------------------------
// Go value conversions

interface Converted<T> { ok: true, value: T }
interface Failed { ok: false, error: string }
type Conversion<T> = Converted<T> | Failed

const INT64_MAX = (1n << 63n) - 1n
const INT64_MIN = -(1n << 63n)

/** Go's `underscoreOK`: underscores only between digits (or after a base prefix). */
function underscoreOK (s: string): boolean {
  let saw = '^'
  let i = 0
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1)
  let hex = false
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1] ?? '')) {
    i = 2
    saw = '0'
    hex = s[1] === 'x' || s[1] === 'X'
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? ''
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) { saw = '0'; continue }
    if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }
    if (saw === '_') return false
    saw = '!'
  }
  return saw !== '_'
}

/** Go's `strconv.ParseInt(s, 0, 64)`: decimal, `0x`, `0o`, `0b`, leading-`0` octal, `_`. */
export function goParseInt (s: string): Conversion<bigint> {
  const syntax: Failed = { ok: false, error: `strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax` }
  if (s === '') return syntax
  let body = s
  let neg = false
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-'
    body = body.slice(1)
  }
  let base = 10
  if (body[0] === '0') {
    const p = body[1]?.toLowerCase()
    const prefixed = p === 'x' || p === 'o' || p === 'b'
    base = p === 'x' ? 16 : p === 'b' ? 2 : 8
    body = body.slice(prefixed ? 2 : 1)
    if (body === '' && prefixed) return syntax
  }
  if (body.includes('_')) {
    if (!underscoreOK(s)) return syntax
    body = body.replaceAll('_', '')
  }
  const digits = base === 16 ? /^[0-9a-fA-F]*$/ : base === 8 ? /^[0-7]*$/ : base === 2 ? /^[01]*$/ : /^[0-9]+$/
  if (!digits.test(body)) return syntax
  let value = 0n
  for (const c of body) value = value * BigInt(base) + BigInt(parseInt(c, 16))
  if (neg) value = -value
  if (value > INT64_MAX || value < INT64_MIN) {
    return { ok: false, error: `strconv.ParseInt: parsing ${goQuote(s)}: value out of range` }
  }
  return { ok: true, value }
}

/** Go's `strconv.Atoi`: optional sign and decimal digits only. */
function goAtoi (s: string): Conversion<bigint> {
  if (!/^[+-]?[0-9]+$/.test(s)) return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` }
  const value = BigInt(s)
  if (value > INT64_MAX || value < INT64_MIN) return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` }
  return { ok: true, value }
}

/** Go's `strconv.ParseBool`. */
export function goParseBool (s: string): Conversion<boolean> {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return { ok: true, value: true }
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return { ok: true, value: false }
  return { ok: false, error: `strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax` }
}

/** Go's `strconv.FormatFloat(f, 'f', -1, 64)`. */
function formatFloat (n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString()
  const text = String(n)
  if (!text.includes('e')) return text
  return n.toFixed(20).replace(/\.?0+$/, '')
}

function isScalar (v: unknown): v is string | number | bigint | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean'
}

/** cast.ToString, what `viper.GetString` returns. */
function castString (v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return formatFloat(v)
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  return ''
}

/** cast.ToInt, what `viper.GetInt` returns: anything unparsable counts as 0. */
function castInt (v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v)
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string') {
    const parsed = goParseInt(trimZeroDecimal(v))
    return parsed.ok ? Number(parsed.value) : 0
  }
  return 0
}

function trimZeroDecimal (s: string): string {
  let foundZero = false
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1]
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1)
    } else if (c === '0') {
      foundZero = true
    } else {
      return s
    }
  }
  return s
}

function describe (v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => typeof x === 'bigint' ? x.toString() : x) ?? String(v)
}

/** mapstructure's weakly typed decoding into a string field. */
function weakString (key: string, v: unknown): Conversion<string> {
  if (typeof v === 'string') return { ok: true, value: v }
  if (typeof v === 'boolean') return { ok: true, value: v ? '1' : '0' }
  if (typeof v === 'number') return { ok: true, value: formatFloat(v) }
  if (typeof v === 'bigint') return { ok: true, value: v.toString() }
  return { ok: false, error: `'${key}' expected type 'string', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'}', value: '${describe(v)}'` }
}

/** mapstructure's weakly typed decoding into an int field. */
function weakInt (key: string, v: unknown): Conversion<number> {
  if (typeof v === 'number') return { ok: true, value: Math.trunc(v) }
  if (typeof v === 'bigint') return { ok: true, value: Number(v) }
  if (typeof v === 'boolean') return { ok: true, value: v ? 1 : 0 }
  if (typeof v === 'string') {
    const parsed = goParseInt(v === '' ? '0' : v)
    return parsed.ok ? { ok: true, value: Number(parsed.value) } : { ok: false, error: `cannot parse '${key}' as int: ${parsed.error}` }
  }
  return { ok: false, error: `'${key}' expected type 'int', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'}', value: '${describe(v)}'` }
}

/** mapstructure's weakly typed decoding into a bool field. */
function weakBool (key: string, v: unknown): Conversion<boolean> {
  if (typeof v === 'boolean') return { ok: true, value: v }
  if (typeof v === 'number') return { ok: true, value: v !== 0 }
  if (typeof v === 'bigint') return { ok: true, value: v !== 0n }
  if (typeof v === 'string') {
    const parsed = goParseBool(v === '' ? 'false' : v)
    return parsed.ok ? parsed : { ok: false, error: `cannot parse '${key}' as bool: ${parsed.error}` }
  }
  return { ok: false, error: `'${key}' expected type 'bool', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'}', value: '${describe(v)}'` }
}

/**
 * A duration field, in milliseconds. Strings use Go syntax; numbers (from a config file)
 * are nanoseconds, as Go decodes them. Sub-millisecond remainders round up, so a
 * non-zero duration never becomes 0 ("no timeout").
 */
function weakDuration (key: string, v: unknown): Conversion<number> {
  let ns: bigint
  if (typeof v === 'string') {
    try {
      ns = parseGoDurationNs(v)
    } catch (err) {
      return { ok: false, error: `error decoding '${key}': ${(err as Error).message}` }
    }
  } else if (typeof v === 'number') {
    ns = BigInt(Math.trunc(v))
  } else if (typeof v === 'bigint') {
    ns = v
  } else if (typeof v === 'boolean') {
    ns = v ? 1n : 0n
  } else {
    return { ok: false, error: `'${key}' expected type 'time.Duration', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}'}', value: '${describe(v)}'` }
  }
  const ms = ns / 1_000_000n + (ns % 1_000_000n > 0n ? 1n : 0n)
  return { ok: true, value: Number(ms) }
}

/** A string-slice field: lists element by element, strings split on `,`. */
function weakStrings (key: string, v: unknown): Conversion<string[]> {
  if (typeof v === 'string') return { ok: true, value: v === '' ? [] : v.split(',') }
  if (Array.isArray(v)) {
    const out: string[] = []
    for (const item of v) {
      const s = weakString(key, item)
      if (!s.ok) return s
      out.push(s.value)
    }
    return { ok: true, value: out }
  }
  if (isScalar(v)) {
    const s = weakString(key, v)
    return s.ok ? { ok: true, value: [s.value] } : s
  }
  return { ok: false, error: `'${key}' expected a list, got unconvertible type 'map[string]interface {}', value: '${describe(v)}'` }
}

// ---------------------------------------------------------------------------------------
// pflag

/** pflag's `PrintDefaults()` output: one line per flag, sorted, usage column aligned. */
function flagUsages (): string {
  const lines: Array<[string, string]> = []
  let maxlen = 0
  for (const flag of [...FLAGS].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
    let line = flag.shorthand !== undefined ? `  -${flag.shorthand}, --${flag.name}` : `      --${flag.name}`
    const varname = flag.type === 'bool' ? '' : flag.type === 'strings' ? 'strings' : flag.type
    if (varname !== '') line += ' ' + varname
    let usage = flag.usage
    const zero = { string: '', int: '0', bool: 'false', duration: '0s', strings: '[]' }[flag.type]
    if (flag.def !== zero) usage += flag.type === 'string' ? ` (default ${goQuote(flag.def)})` : ` (default ${flag.def})`
    maxlen = Math.max(maxlen, line.length + 1)
    lines.push([line, usage])
  }
  return lines.map(([line, usage]) => line + ' ' + ' '.repeat(maxlen - line.length) + ' ' + usage + '\n').join('')
}

/** What `podinfo --help` writes to stderr (spec §2.1). */
export function helpText (): string {
  return 'Usage of default:\n' + flagUsages()
}

type FlagValue = string | number | boolean | string[]

interface ParsedArgs {
  /** flags explicitly given, by name, with their typed value (durations in ms) */
  changed: Map<string, FlagValue>
  /** ignored positional arguments */
  args: string[]
}

class FlagError extends Error {}

class HelpRequested extends Error {}

function flagDisplayName (flag: FlagDef): string {
  return flag.shorthand !== undefined ? `-${flag.shorthand}, --${flag.name}` : `--${flag.name}`
}

/** `flag.Value.Set(value)` for one occurrence, with pflag's error wording. */
function setFlag (parsed: ParsedArgs, flag: FlagDef, value: string): void {
  const fail = (detail: string): never => {
    throw new FlagError(`invalid argument ${goQuote(value)} for ${goQuote(flagDisplayName(flag))} flag: ${detail}`)
  }
  switch (flag.type) {
    case 'string':
      parsed.changed.set(flag.name, value)
      return
    case 'int': {
      const r = goParseInt(value)
      if (!r.ok) fail(r.error)
      else parsed.changed.set(flag.name, Number(r.value))
      return
    }
    case 'bool': {
      const r = goParseBool(value)
      if (!r.ok) fail(r.error)
      else parsed.changed.set(flag.name, r.value)
      return
    }
    case 'duration': {
      try {
        const ns = parseGoDurationNs(value)
        parsed.changed.set(flag.name, Number(ns / 1_000_000n + (ns % 1_000_000n > 0n ? 1n : 0n)))
      } catch (err) {
        fail((err as Error).message)
      }
      return
    }
    case 'strings': {
      const r = readCsvRecord(value)
      if (!r.ok) fail(r.error)
      else {
        const before = parsed.changed.get(flag.name)
        parsed.changed.set(flag.name, Array.isArray(before) ? [...before, ...r.value] : r.value)
      }
    }
  }
}

/** encoding/csv reading one record, as pflag's string-slice flags do. */
function readCsvRecord (text: string): Conversion<string[]> {
  if (text === '') return { ok: true, value: [] }
  // csv skips leading empty lines; a record ends at an unquoted newline
  const s = text.replace(/^(\r?\n)+/, '')
  if (s === '') return { ok: false, error: 'EOF' }
  const fields: string[] = []
  let i = 0
  const byteCol = (index: number): number => Buffer.byteLength(s.slice(0, index)) + 1
  for (;;) {
    if (s[i] === '"') {
      let field = ''
      let j = i + 1
      for (;;) {
        if (j >= s.length) {
          // unterminated quoted field: Go reports the position just past the input
          const lines = s.split('\n')
          if (lines.length > 1 && lines[lines.length - 1] === '') lines[lines.length - 2] += '\n' + (lines.pop() ?? '')
          const line = lines.length
          const col = Buffer.byteLength(lines[line - 1] ?? '') + 1
          const where = line === 1 ? '' : 'record on line 1; '
          return { ok: false, error: `${where}parse error on line ${line}, column ${col}: extraneous or missing " in quoted-field` }
        }
        const c = s[j]
        if (c === '"') {
          if (s[j + 1] === '"') { field += '"'; j += 2; continue }
          const next = s[j + 1]
          if (next === undefined || next === ',' || next === '\n' || (next === '\r' && s[j + 2] === '\n') || (next === '\r' && j + 2 >= s.length)) {
            j++
            break
          }
          return { ok: false, error: `parse error on line 1, column ${byteCol(j)}: extraneous or missing " in quoted-field` }
        }
        field += c
        j++
      }
      fields.push(field.replace(/\r\n/g, '\n'))
      i = j
    } else {
      let j = i
      while (j < s.length && s[j] !== ',' && s[j] !== '\n') {
        if (s[j] === '"') return { ok: false, error: `parse error on line 1, column ${byteCol(j)}: bare " in non-quoted-field` }
        j++
      }
      let field = s.slice(i, j)
      if (s[j] === '\n' && field.endsWith('\r')) field = field.slice(0, -1)
      if (j >= s.length && field.endsWith('\r')) field = field.slice(0, -1)
      fields.push(field)
      i = j
    }
    if (s[i] === ',') { i++; continue }
    break
  }
  return { ok: true, value: fields }
}

/** pflag `FlagSet.Parse` (interspersed, ContinueOnError) over the arguments after the program name. */
function parseArgs (argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { changed: new Map(), args: [] }
  let args = [...argv]
  while (args.length > 0) {
    const s = args[0] as string
    args = args.slice(1)
    if (s.length === 0 || s[0] !== '-' || s.length === 1) {
      parsed.args.push(s)
      continue
    }
    if (s[1] === '-') {
      if (s.length === 2) { // "--" ends the flags
        parsed.args.push(...args)
        break
      }
      args = parseLongArg(parsed, s, args)
    } else {
      args = parseShortArg(parsed, s, args)
    }
  }
  return parsed
}

function parseLongArg (parsed: ParsedArgs, s: string, args: string[]): string[] {
  let name = s.slice(2)
  if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new FlagError(`bad flag syntax: ${s}`)
  const eq = name.indexOf('=')
  const inline = eq >= 0 ? name.slice(eq + 1) : undefined
  if (eq >= 0) name = name.slice(0, eq)
  const flag = FLAG_BY_NAME.get(name)
  if (flag === undefined) {
    if (name === 'help') throw new HelpRequested()
    throw new FlagError(`unknown flag: --${name}`)
  }
  let value: string
  if (inline !== undefined) {
    value = inline
  } else if (flag.type === 'bool') {
    value = 'true' // NoOptDefVal: `--flag false` does not consume `false`
  } else if (args.length > 0) {
    value = args[0] as string
    args = args.slice(1)
  } else {
    throw new FlagError(`flag needs an argument: ${s}`)
  }
  setFlag(parsed, flag, value)
  return args
}

function parseShortArg (parsed: ParsedArgs, s: string, args: string[]): string[] {
  // Shorthands are handled byte by byte, like pflag.
  let shorthands = Buffer.from(s.slice(1), 'utf8')
  let rest = args
  while (shorthands.length > 0) {
    const text = shorthands.toString('utf8')
    if (text.startsWith('test.')) break
    const c = shorthands[0] as number
    let outShorts = shorthands.subarray(1)
    const flag = FLAGS.find((f) => f.shorthand !== undefined && f.shorthand.charCodeAt(0) === c)
    if (flag === undefined) {
      if (c === 0x68) throw new HelpRequested() // 'h'
      throw new FlagError(`unknown shorthand flag: ${goQuoteByte(c)} in -${text}`)
    }
    let value: string
    if (shorthands.length > 2 && shorthands[1] === 0x3d) { // '-f=arg'
      value = shorthands.subarray(2).toString('utf8')
      outShorts = Buffer.alloc(0)
    } else if (flag.type === 'bool') {
      value = 'true'
    } else if (shorthands.length > 1) {
      value = shorthands.subarray(1).toString('utf8')
      outShorts = Buffer.alloc(0)
    } else if (args.length > 0) {
      value = args[0] as string
      rest = args.slice(1)
    } else {
      throw new FlagError(`flag needs an argument: ${goQuoteByte(c)} in -${text}`)
    }
    setFlag(parsed, flag, value)
    shorthands = outShorts
  }
  return rest
}

// ---------------------------------------------------------------------------------------
// config file

/** Keys the config file may set: the flag names and `jwt-secret`, lower-cased. */
function fileKeyFor (key: string): string | undefined {
  const lower = key.toLowerCase()
  if (lower === 'backendurl') return 'backend-url'
  if (lower in FLAGLESS_DEFAULTS) return lower
  if (lower === 'version') return undefined
  return FLAG_BY_NAME.has(lower) ? lower : undefined
}

function unquote (value: string): string {
  if (value.length >= 2 && ((value[0] === '"' && value.endsWith('"')) || (value[0] === "'" && value.endsWith("'")))) {
    return value.slice(1, -1)
  }
  return value
}

/** Java-style `.properties` (key=value, key: value, key value; `#`/`!` comments; `\` escapes). */
function parseProperties (text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const physical = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < physical.length; i++) {
    let line = (physical[i] ?? '').replace(/^[ \t\f]+/, '')
    if (line === '' || line[0] === '#' || line[0] === '!') continue
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < physical.length) {
      line = line.slice(0, -1) + (physical[++i] ?? '').replace(/^[ \t\f]+/, '')
    }
    let k = 0
    let key = ''
    while (k < line.length) {
      const c = line[k] as string
      if (c === '\\' && k + 1 < line.length) { key += line.slice(k, k + 2); k += 2; continue }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break
      key += c
      k++
    }
    let rest = line.slice(k).replace(/^[ \t\f]+/, '')
    if (rest[0] === '=' || rest[0] === ':') rest = rest.slice(1).replace(/^[ \t\f]+/, '')
    out[unescapeProperties(key)] = unescapeProperties(rest)
  }
  return out
}

function unescapeProperties (s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e[0] === 'u' && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16))
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e
  })
}

/** dotenv files (`KEY=value`, optional `export`, quotes, `#` comments). */
function parseDotenv (text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*[=:]\s*(.*)$/.exec(raw)
    if (m === null) continue
    const key = m[1] as string
    let value = (m[2] ?? '').trim()
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1)
      value = end > 0 ? value.slice(1, end) : value.slice(1)
    } else if (value.startsWith('"')) {
      const end = /"(?:\s*(?:#.*)?)$/.exec(value.slice(1))
      value = end !== null ? value.slice(1, 1 + end.index) : value.slice(1)
      value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t').replace(/\\(["\\])/g, '$1')
    } else {
      value = value.replace(/\s+#.*$/, '').trim()
    }
    out[key] = value
  }
  return out
}

/** INI files: keys before the first section are top-level, others become `section.key`. */
function parseIni (text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  let section = ''
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim()
    if (line === '' || line[0] === ';' || line[0] === '#') continue
    const sec = /^\[(.*)\]$/.exec(line)
    if (sec !== null) {
      const name = (sec[1] ?? '').trim()
      section = name === 'DEFAULT' ? '' : name
      continue
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line)
    const key = m !== null ? (m[1] as string) : line
    let value = m !== null ? (m[2] ?? '') : ''
    if (!/^["'`]/.test(value)) value = value.replace(/\s+[;#].*$/, '')
    value = unquote(value.trim())
    if (value.length >= 2 && value[0] === '`' && value.endsWith('`')) value = value.slice(1, -1)
    out[section === '' ? key : `${section}.${key}`] = value
  }
  return out
}

function parseConfigFile (file: string, ext: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8')
  let data: unknown
  switch (ext) {
    case 'json': data = JSON.parse(text); break
    case 'toml': data = parseToml(text); break
    case 'yaml':
    case 'yml': data = parseYaml(text); break
    case 'properties':
    case 'props':
    case 'prop': data = parseProperties(text); break
    case 'dotenv':
    case 'env': data = parseDotenv(text); break
    case 'ini': data = parseIni(text); break
    default: throw new Error(`Unsupported Config Type ${goQuote(ext)}`)
  }
  if (data === null || data === undefined) return {}
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error('the file is not a map of keys to values')
  return data as Record<string, unknown>
}

/**
 * Reads the config file like podinfo (spec §2.3). Returns the values by flag name, or an
 * empty map when there is no file. Problems go to `stdout` as `Error reading config file, …`.
 */
function readConfigFile (configPath: string, config: string, cwd: string, stdout: ((line: string) => void) | undefined): Map<string, unknown> {
  const values = new Map<string, unknown>()
  if (configPath === '' && config === '') return values // Go: os.Stat("") fails
  try {
    statSync(resolve(cwd, join(configPath, config)))
  } catch {
    return values
  }
  const base = config.split('.')[0] ?? ''
  const dir = configPath === '' ? undefined : resolve(cwd, configPath)
  let found: { file: string, ext: string } | undefined
  if (dir !== undefined) {
    for (const ext of CONFIG_EXTENSIONS) {
      const file = join(dir, `${base}.${ext}`)
      try {
        if (!statSync(file).isDirectory()) { found = { file, ext }; break }
      } catch {}
    }
  }
  if (found === undefined) {
    stdout?.(`Error reading config file, Config File ${goQuote(base)} Not Found in ${goQuote(`[${dir ?? ''}]`)}`)
    return values
  }
  let data: Record<string, unknown>
  try {
    data = parseConfigFile(found.file, found.ext)
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? ''
    const unsupported = message.startsWith('Unsupported Config Type')
    stdout?.(`Error reading config file, ${unsupported ? message + ' (hcl and tfvars config files are not supported)' : 'While parsing config: ' + message}`)
    return values
  }
  for (const [rawKey, value] of Object.entries(data)) {
    const key = fileKeyFor(rawKey)
    if (key === undefined || value === null || value === undefined) continue
    // `backend-url` wins over its alias when both are present
    if (key === 'backend-url' && values.has(key) && rawKey.toLowerCase() === 'backendurl') continue
    values.set(key, value)
  }
  return values
}

// ---------------------------------------------------------------------------------------
// the merge

type Source = 'flag' | 'env' | 'file' | 'default'

interface Raw { value: unknown, source: Source }

function envName (key: string): string {
  return 'PODINFO_' + key.toUpperCase().replaceAll('-', '_')
}

function camel (key: string): string {
  return key.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())
}

function kebab (key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
}

/** podinfo's prefix normalisation (spec §4.3): `/` or `/a/b` without a trailing slash. */
export function normalizePrefix (prefix: string): string {
  const trimmed = prefix.trim()
  if (trimmed === '' || trimmed === '/') return '/'
  const out: string[] = []
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  return '/' + out.join('/')
}

/**
 * The build revision from a `REVISION` file at the package root (the container build writes
 * it). The search starts at `fromDir` and goes up until a directory holding `REVISION` or
 * `package.json`, so it works from the sources and from `dist/`. Empty file ⇒ undefined.
 */
export function readRevisionFile (fromDir: string = dirname(dirname(fileURLToPath(import.meta.url)))): string | undefined {
  let dir = fromDir
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'REVISION')
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim()
      return text === '' ? undefined : text
    }
    if (existsSync(join(dir, 'package.json'))) return undefined
    dir = dirname(dir)
  }
  return undefined
}

function unmarshalFailed (key: string, raw: Raw, allowed: string, error: string): ConfigExit {
  const origin = raw.source === 'flag' ? `--${key}` : raw.source === 'env' ? envName(key) : raw.source === 'file' ? 'config file' : 'default'
  return new ConfigExit(2, '', logLine('panic', 'config unmarshal failed', {
    key, value: describe(raw.value), source: origin, allowed, error
  }))
}

const ALLOWED: Record<FlagType, string> = {
  string: 'a string',
  int: 'an integer (decimal, or Go base prefixes 0x, 0o, 0b)',
  bool: 'a boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False',
  duration: 'a Go duration such as 300ms, 30s, 2m or 1h30m (units ns, us, µs, ms, s, m, h)',
  strings: 'a list, or a comma-separated string'
}

/** One TypeBox schema validates the merged config (a copy: env-schema writes `additionalProperties` into the schema it gets). */
const VALIDATION_SCHEMA = { ...ConfigSchema, properties: { ...ConfigSchema.properties }, additionalProperties: false }

/**
 * The validator env-schema runs the merged config through: the coercion, defaults and removal
 * of env-schema's own Ajv instance, without the work that one does for any schema it may be
 * given. It stops at the first error (podinfo reports only the first), does not check our schema
 * against the JSON Schema meta-schema (it is ours, and tested), and does not optimize the code it
 * generates for a validator that runs once. Compiling the config schema takes about 10 ms this
 * way instead of 25–45 ms (fresh processes, one core): a startup cost paid on every start.
 */
function configValidator (): Ajv {
  return new Ajv({
    removeAdditional: true,
    useDefaults: true,
    coerceTypes: true,
    allowUnionTypes: true,
    addUsedSchema: false,
    validateSchema: false,
    code: { optimize: false }
  })
}

/**
 * Builds podinfo's effective configuration from the environment (`PODINFO_*`), the
 * command-line arguments (after the program name) and the optional config file.
 * Throws `ConfigExit` for `--help`, `--version` and every startup error of spec §2.5.
 */
export function loadConfig (env: Record<string, string | undefined> = {}, argv: string[] = [], options: LoadOptions = {}): Config {
  // 1. flags
  let parsed: ParsedArgs
  try {
    parsed = parseArgs(argv)
  } catch (err) {
    if (err instanceof HelpRequested) throw new ConfigExit(0, '', helpText())
    if (err instanceof FlagError) throw new ConfigExit(2, '', `Error: ${err.message}\n\n${flagUsages()}`)
    throw err
  }
  if (parsed.changed.get('version') === true) throw new ConfigExit(0, VERSION + '\n', '')

  // 2. sources: explicit flag > non-empty env > config file > viper default > flag default
  const fromEnv = (key: string): string | undefined => {
    const value = env[envName(key)]
    return value === undefined || value === '' ? undefined : value
  }
  const flagDefault = (flag: FlagDef): unknown => {
    switch (flag.type) {
      case 'int': return Number(flag.def)
      case 'bool': return false
      case 'strings': return []
      default: return flag.def
    }
  }
  const early = (key: string): Raw => {
    const flagged = parsed.changed.get(key)
    if (flagged !== undefined) return { value: flagged, source: 'flag' }
    const e = fromEnv(key)
    if (e !== undefined) return { value: e, source: 'env' }
    const flag = FLAG_BY_NAME.get(key)
    return { value: flag !== undefined ? flagDefault(flag) : VIPER_DEFAULTS[key], source: 'default' }
  }
  const cwd = options.cwd ?? process.cwd()
  const fileValues = readConfigFile(castString(early('config-path').value), castString(early('config').value), cwd, options.stdout)
  const raw = (key: string): Raw => {
    const flagged = parsed.changed.get(key)
    if (flagged !== undefined) return { value: flagged, source: 'flag' }
    const e = fromEnv(key)
    if (e !== undefined) return { value: e, source: 'env' }
    if (fileValues.has(key)) return { value: fileValues.get(key), source: 'file' }
    if (key in VIPER_DEFAULTS) return { value: VIPER_DEFAULTS[key], source: 'default' }
    const flag = FLAG_BY_NAME.get(key)
    return { value: flag !== undefined ? flagDefault(flag) : undefined, source: 'default' }
  }
  /** the flag's own value: the command-line value if given, else its default */
  const flagValue = (key: string): number => {
    const flagged = parsed.changed.get(key)
    return typeof flagged === 'number' ? flagged : Number(FLAG_BY_NAME.get(key)?.def ?? 0)
  }

  // 3. port fallback (spec §2.4), also for grpc-port (compat: Kubernetes service links)
  const portWithFallback = (key: string): number => {
    const r = goAtoi(castString(raw(key).value))
    return r.ok ? Number(r.value) : flagValue(key)
  }
  const port = portWithFallback('port')
  const securePort = portWithFallback('secure-port')
  const grpcRaw = raw('grpc-port')
  const grpcParsed = weakInt('grpc-port', grpcRaw.value)
  const grpcPort = grpcParsed.ok ? grpcParsed.value : flagValue('grpc-port')

  // 4. random-delay checks, on viper.GetInt / GetString values (before the typed decode)
  const delayMin = castInt(raw('random-delay-min').value)
  const delayMax = castInt(raw('random-delay-max').value)
  if (delayMax < delayMin) {
    throw new ConfigExit(2, '', logLine('panic', '`--random-delay-max` should be greater than `--random-delay-min`', {
      'random-delay-min': delayMin, 'random-delay-max': delayMax
    }))
  }
  const delayUnit = castString(raw('random-delay-unit').value)
  if (delayUnit !== 's' && delayUnit !== 'ms') {
    throw new ConfigExit(2, '', logLine('panic', '`random-delay-unit` accepted values are: s|ms', {
      'random-delay-unit': delayUnit, allowed: 's|ms'
    }))
  }

  // 5. typed decode (viper.Unmarshal): a value that does not convert aborts startup
  const data: Record<string, unknown> = {}
  for (const flag of FLAGS) {
    if (flag.name === 'version') continue
    const key = flag.name
    const r = raw(key)
    let c: Conversion<unknown>
    switch (key) {
      case 'port': c = { ok: true, value: port }; break
      case 'secure-port': c = { ok: true, value: securePort }; break
      case 'grpc-port': c = { ok: true, value: grpcPort }; break
      case 'stress-cpu':
      case 'stress-memory': c = { ok: true, value: Math.max(0, castInt(r.value)) }; break
      case 'level': {
        const level = castString(r.value)
        c = { ok: true, value: (LEVELS as readonly string[]).includes(level) ? level : 'info' }
        break
      }
      case 'random-delay-unit': c = { ok: true, value: delayUnit }; break
      case 'config':
      case 'config-path': c = { ok: true, value: castString(r.value) }; break
      default:
        switch (flag.type) {
          case 'string': c = weakString(key, r.value); break
          case 'int': c = weakInt(key, r.value); break
          case 'bool': c = weakBool(key, r.value); break
          case 'duration': c = r.source === 'flag' ? { ok: true, value: r.value } : weakDuration(key, r.value); break
          case 'strings': c = weakStrings(key, r.value); break
        }
    }
    if (!c.ok) throw unmarshalFailed(key, r, ALLOWED[flag.type], c.error)
    data[camel(key)] = c.value
  }
  data.prefix = normalizePrefix(data.prefix as string)
  const jwt = raw('jwt-secret')
  const jwtSecret = weakString('jwt-secret', jwt.value)
  if (!jwtSecret.ok) throw unmarshalFailed('jwt-secret', jwt, ALLOWED.string, jwtSecret.error)
  data.jwtSecret = jwtSecret.value
  data.hostname = options.hostname ?? osHostname()
  data.version = VERSION
  data.revision = options.revision ?? readRevisionFile() ?? 'unknown'

  // 6. one schema for the whole config
  try {
    return envSchema<Config>({ schema: VALIDATION_SCHEMA, data, env: false, dotenv: false, ajv: configValidator() })
  } catch (err) {
    const errors = (err as { errors?: Array<{ instancePath: string, message?: string }> }).errors ?? []
    const first = errors[0]
    const prop = first?.instancePath.replace(/^\//, '') ?? ''
    const key = kebab(prop)
    const schema = (VALIDATION_SCHEMA.properties as Record<string, { minimum?: number, maximum?: number, type?: string }>)[prop]
    const allowed = schema?.type === 'integer'
      ? `an integer${schema.minimum !== undefined ? ` from ${schema.minimum}` : ''}${schema.maximum !== undefined ? ` to ${schema.maximum}` : ''}`
      : 'a valid value'
    throw new ConfigExit(2, '', logLine('panic', 'config unmarshal failed', {
      key,
      value: describe(data[prop]),
      source: raw(key).source === 'flag' ? `--${key}` : raw(key).source === 'env' ? envName(key) : raw(key).source === 'file' ? 'config file' : 'default',
      allowed,
      error: `${key} ${first?.message ?? (err as Error).message}`
    }))
  }
}

/** The flag names, in podinfo's registration order (for docs and tests). */
export const FLAG_NAMES: readonly string[] = FLAGS.map((f) => f.name)
