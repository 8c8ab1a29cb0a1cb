import { Command, CommanderError, Option } from 'commander'
import { parseGoDuration } from '../lib/duration.js'

/**
 * podcli is built on commander, dressed the way upstream's cobra CLI looks and behaves
 * (spec §16): cobra's help and usage layout, pflag's flag table and flag error messages,
 * and `Error: <msg>` + usage on stderr with exit 1 for every failure.
 */

export type FlagType = 'string' | 'int' | 'duration' | 'bool' | 'float' | 'stringArray'

export interface FlagSpec {
  name: string
  short?: string
  type: FlagType
  usage: string
  /** The default as pflag prints it (`GET`, `1s`, `0`); empty / zero values are not printed. */
  defaultText?: string
  /** Parsed default value handed to the command. */
  default?: unknown
}

export interface CommandSpec {
  /** cobra `Use`: the name followed by the argument synopsis, e.g. `http [address]`. */
  use: string
  short: string
  long?: string
  example?: string
  /** cobra: a command without Run only prints its help. */
  runnable: boolean
  flags?: FlagSpec[]
}

/** An error cobra reports as `Error: <msg>` followed by the command's usage. */
export class CobraError extends Error {
  constructor (message: string, readonly command: CobraCommand, readonly kind: 'usage' | 'unknown-command' = 'usage') {
    super(message)
    this.name = 'CobraError'
  }
}

export class CobraCommand extends Command {
  readonly spec: CommandSpec

  constructor (spec: CommandSpec) {
    super(spec.use.split(' ')[0])
    this.spec = spec
    this.summary(spec.short)
    this.description(spec.long ?? spec.short)
    this.helpOption('-h, --help', `help for ${this.name()}`)
    this.helpCommand(false)
    this.allowExcessArguments(true)
    this.argument('[args...]')
    this.exitOverride((err) => { throw this.#translate(err) })
    this.configureHelp({ formatHelp: (cmd) => helpText(cmd as CobraCommand) })
    for (const flag of spec.flags ?? []) this.addOption(this.#option(flag))
  }

  /** Attach the IO streams to this command and its subcommands. */
  useOutput (write: { out: (s: string) => void, err: (s: string) => void }): this {
    this.configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} })
    for (const sub of this.commands) (sub as CobraCommand).useOutput(write)
    return this
  }

  get path (): string {
    const parent = this.parent as CobraCommand | null
    return parent === null ? this.name() : `${parent.path} ${this.name()}`
  }

  #option (flag: FlagSpec): Option {
    const shortPart = flag.short !== undefined ? `-${flag.short}, ` : ''
    const arg = flag.type === 'bool' ? '' : ` <${flag.type}>`
    const option = new Option(`${shortPart}--${flag.name}${arg}`, flag.usage)
    if (flag.type !== 'bool') option.argParser((value: string, previous: unknown) => this.#parse(flag, value, previous))
    if (flag.default !== undefined) option.default(flag.default)
    return option
  }

  #parse (flag: FlagSpec, value: string, previous: unknown): unknown {
    const invalid = (reason: string): CobraError =>
      new CobraError(`invalid argument ${goQuote(value)} for "${flagName(flag)}" flag: ${reason}`, this)
    switch (flag.type) {
      case 'int': {
        if (!/^[+-]?\d+$/.test(value)) throw invalid(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`)
        const n = BigInt(value)
        if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw invalid(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`)
        return Number(n)
      }
      case 'float': {
        const n = Number(value)
        if (value.trim() === '' || Number.isNaN(n)) throw invalid(`strconv.ParseFloat: parsing ${goQuote(value)}: invalid syntax`)
        return n
      }
      case 'duration':
        try {
          return parseGoDuration(value)
        } catch (err) {
          throw invalid((err as Error).message)
        }
      case 'stringArray':
        return [...(Array.isArray(previous) && previous !== flag.default ? previous : []), value]
      default:
        return value
    }
  }

  /** commander's parse errors in pflag's words. */
  #translate (err: CommanderError): Error {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return err
    const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? ''
    if (err.code === 'commander.unknownOption') {
      if (quoted.startsWith('--')) return new CobraError(`unknown flag: ${quoted.split('=')[0]}`, this)
      return new CobraError(`unknown shorthand flag: '${quoted.charAt(1)}' in ${quoted}`, this)
    }
    if (err.code === 'commander.optionMissingArgument') {
      const long = /--[\w-]+/.exec(quoted)?.[0] ?? quoted
      return new CobraError(`flag needs an argument: ${long}`, this)
    }
    return new CobraError(err.message.replace(/^error: /, ''), this)
  }
}

function flagName (flag: FlagSpec): string {
  return `--${flag.name}`
}

/** Go's `%q` for plain text (enough for flag values). */
export function goQuote (text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16))
}

/**
 * Bool flags: pflag accepts `--tls=true|false` (and `=1`, `=0`, `=t`, `=f`); commander does
 * not. Rewrite them before parsing.
 */
export function normaliseBoolFlags (argv: string[], boolFlags: Set<string>): string[] {
  const out: string[] = []
  for (const arg of argv) {
    if (arg === '--') { out.push(...argv.slice(argv.indexOf(arg))); break }
    const match = /^--([\w-]+)=(.*)$/.exec(arg)
    if (match !== null && boolFlags.has(match[1])) {
      const value = match[2].toLowerCase()
      if (['1', 't', 'true'].includes(value)) { out.push(`--${match[1]}`); continue }
      if (['0', 'f', 'false'].includes(value)) continue
    }
    out.push(arg)
  }
  return out
}

// --- help and usage in cobra's layout ------------------------------------------------

function subcommands (cmd: CobraCommand): CobraCommand[] {
  return (cmd.commands as CobraCommand[]).slice().sort((a, b) => a.name() < b.name() ? -1 : 1)
}

/** cobra's help template: the long description, a blank line, then the usage. */
export function helpText (cmd: CobraCommand): string {
  const text = (cmd.spec.long ?? cmd.spec.short).replace(/\s+$/, '')
  let out = text === '' ? '' : text + '\n\n'
  if (cmd.spec.runnable || cmd.commands.length > 0) out += usageText(cmd)
  return out
}

/** cobra's usage template. */
export function usageText (cmd: CobraCommand): string {
  let out = 'Usage:'
  if (cmd.spec.runnable) {
    let use = (cmd.parent !== null ? (cmd.parent as CobraCommand).path + ' ' : '') + cmd.spec.use
    if (!use.includes('[flags]')) use += ' [flags]'
    out += '\n  ' + use
  }
  const subs = subcommands(cmd)
  if (subs.length > 0) out += `\n  ${cmd.path} [command]`
  if (cmd.spec.example !== undefined) out += '\n\nExamples:\n' + cmd.spec.example
  if (subs.length > 0) {
    const padding = Math.max(11, ...subs.map((s) => s.name().length))
    out += '\n\nAvailable Commands:'
    for (const sub of subs) out += `\n  ${sub.name().padEnd(padding)} ${sub.spec.short}`
  }
  out += '\n\nFlags:\n' + flagUsages(cmd)
  if (subs.length > 0) out += `\n\nUse "${cmd.path} [command] --help" for more information about a command.`
  return out + '\n'
}

/** pflag's FlagUsages: sorted, aligned, `(default …)` for non-zero defaults. */
function flagUsages (cmd: CobraCommand): string {
  const flags: FlagSpec[] = [...(cmd.spec.flags ?? []),
    { name: 'help', short: 'h', type: 'bool', usage: `help for ${cmd.name()}` }]
  flags.sort((a, b) => a.name < b.name ? -1 : 1)
  const rows = flags.map((flag) => {
    let left = flag.short !== undefined ? `  -${flag.short}, --${flag.name}` : `      --${flag.name}`
    if (flag.type !== 'bool') left += ' ' + flag.type
    let usage = flag.usage
    const def = flag.defaultText
    if (def !== undefined && def !== '' && def !== '0' && def !== '0s' && def !== 'false' && def !== '[]') {
      usage += flag.type === 'string' ? ` (default ${goQuote(def)})` : ` (default ${def})`
    }
    return { left, usage }
  })
  const max = Math.max(...rows.map((r) => r.left.length + 1))
  return rows.map((r) => `${r.left} ${' '.repeat(max - r.left.length)} ${r.usage}`).join('\n')
}

/** cobra's "did you mean" suggestions for an unknown command. */
export function suggestions (cmd: CobraCommand, typed: string): string {
  const found = subcommands(cmd).filter((sub) =>
    levenshtein(typed.toLowerCase(), sub.name().toLowerCase()) <= 2 ||
    sub.name().toLowerCase().startsWith(typed.toLowerCase()))
  if (found.length === 0) return ''
  return '\n\nDid you mean this?\n' + found.map((s) => `\t${s.name()}\n`).join('')
}

function levenshtein (a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}

export { CommanderError }
