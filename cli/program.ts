import type { Readable } from 'node:stream'
import {
  CobraCommand, CobraError, CommanderError, type FlagSpec, normaliseBoolFlags, suggestions, usageText
} from './cobra.js'
import { bashCompletion, fishCompletion, powershellCompletion, zshCompletion } from './completion.js'
import type { CliContext } from './context.js'
import type { LoadOptions } from './load.js'
import { DevLogger } from './log.js'

export interface CliIo {
  stdout: CliContext['stdout']
  stderr: CliContext['stderr']
  stdin: Readable
}

const retryFlags = (what: string): FlagSpec[] => [
  { name: 'retry', type: 'int', usage: `times to retry the ${what}`, defaultText: '0', default: 0 },
  { name: 'delay', type: 'duration', usage: 'wait duration between retries', defaultText: '1s', default: 1000 },
  { name: 'timeout', type: 'duration', usage: 'timeout', defaultText: '5s', default: 5000 }
]

interface RetryValues { retry: number, delay: number, timeout: number }

/**
 * Build the podcli command tree. `done(code)` receives the exit code of the command that
 * ran; parse and usage errors are thrown as `CobraError` and reported by `runCli`.
 */
export function buildProgram (ctx: CliContext, done: (code: number) => void): CobraCommand {
  const root = new CobraCommand({ use: 'podcli', short: 'podinfo command line', long: '\npodinfo command line utilities', runnable: false })
  root.action((args: string[]) => {
    if (args.length > 0) {
      throw new CobraError(`unknown command "${args[0]}" for "podcli"${suggestions(root, args[0])}`, root, 'unknown-command')
    }
    root.outputHelp()
  })

  const check = new CobraCommand({ use: 'check', short: 'Health check commands', long: 'Commands for running health checks', runnable: false })
  check.action(() => { check.outputHelp() })
  root.addCommand(check)

  const requireAddress = (cmd: CobraCommand, args: string[], example: string, opts?: RetryValues): string => {
    if (opts !== undefined && opts.retry < 0) throw new CobraError('--retry is required', cmd)
    if (args.length < 1) throw new CobraError(`address is required! example: ${example}`, cmd)
    return args[0]
  }

  const http = new CobraCommand({
    use: 'http [address]',
    short: 'HTTP(S) health check',
    example: '  check http https://httpbin.org/anything --method=POST --retry=2 --delay=2s --timeout=3s --body=\'{"test"=1}\'',
    runnable: true,
    flags: [
      { name: 'method', type: 'string', usage: 'HTTP method', defaultText: 'GET', default: 'GET' },
      { name: 'body', type: 'string', usage: 'HTTP POST/PUT content', default: '' },
      ...retryFlags('HTTP call')
    ]
  })
  http.action(async (args: string[], opts: RetryValues & { method: string, body: string }) => {
    const address = requireAddress(http, args, 'check http https://httpbin.org', opts)
    done(await (await import('./check-http.js')).checkHttp(ctx, address, opts))
  })
  check.addCommand(http)

  const tcp = new CobraCommand({
    use: 'tcp [address]',
    short: 'TCP health check',
    example: '  check tcp httpbin.org:443 --retry=1 --delay=2s --timeout=2s',
    runnable: true,
    flags: retryFlags('TCP check')
  })
  tcp.action(async (args: string[], opts: RetryValues) => {
    const address = requireAddress(tcp, args, 'check tcp httpbin.org:80', opts)
    done(await (await import('./check-tcp.js')).checkTcp(ctx, address, opts))
  })
  check.addCommand(tcp)

  const grpc = new CobraCommand({
    use: 'grpc [address]',
    short: 'gRPC health check',
    example: '  check grpc localhost:8080 --service=podinfo --retry=1 --delay=2s --timeout=2s',
    runnable: true,
    flags: [
      ...retryFlags('gRPC check'),
      { name: 'service', type: 'string', usage: 'gRPC service name', default: '' },
      { name: 'tls', type: 'bool', usage: 'use TLS with the system root certificates', default: false }
    ]
  })
  grpc.action(async (args: string[], opts: RetryValues & { service: string, tls: boolean }) => {
    const address = requireAddress(grpc, args, 'check grpc localhost:8080', opts)
    done(await (await import('./check-grpc.js')).checkGrpc(ctx, address, opts))
  })
  check.addCommand(grpc)

  const ws = new CobraCommand({
    use: 'ws [address]',
    short: 'WebSocket round-trip health check',
    example: '  check ws ws://localhost:9898/ws/echo --retry=1 --delay=2s --timeout=5s',
    runnable: true,
    flags: retryFlags('WebSocket check')
  })
  ws.action(async (args: string[], opts: RetryValues) => {
    const address = requireAddress(ws, args, 'check ws wss://localhost:9898/ws/echo', opts)
    done(await (await import('./check-ws.js')).checkWs(ctx, ws, address, opts))
  })
  check.addCommand(ws)

  const cert = new CobraCommand({
    use: 'cert [address]',
    short: 'SSL/TLS certificate validity check',
    example: '  check cert httpbin.org',
    runnable: true
  })
  cert.action(async (args: string[]) => {
    const address = requireAddress(cert, args, 'check cert httpbin.org')
    done(await (await import('./check-cert.js')).checkCert(ctx, address))
  })
  check.addCommand(cert)

  const wsCmd = new CobraCommand({
    use: 'ws [address]',
    short: 'Websocket client',
    example: '  ws localhost:9898/ws/echo',
    runnable: true,
    flags: [{ name: 'origin', short: 'o', type: 'string', usage: 'websocket origin', default: '' }]
  })
  wsCmd.action(async (args: string[], opts: { origin: string }) => {
    done(await (await import('./ws.js')).wsClient(ctx, wsCmd, args[0], opts.origin))
  })
  root.addCommand(wsCmd)

  const loadCmd = new CobraCommand({
    use: 'load [url]',
    short: 'HTTP load generator for fault-injection experiments',
    long: 'Send HTTP load to a URL with autocannon, show live progress on stderr and print a report of\n' +
      'the status-code mix, latency percentiles and error rate. A request counts as an error when it\n' +
      'gets no response or a status outside 200-399. Exit codes: 0 = run completed and every\n' +
      'threshold holds, 2 = a --max-* threshold was exceeded, 1 = no response at all or bad usage.',
    example: '  load http://localhost:9898/status/200 --duration 30s --concurrency 10 --rate 100 --max-error-rate 0.01 --max-p99 500ms\n' +
      '  load localhost:9898/echo --method POST --data \'{"test":1}\' --requests 1000 --json',
    runnable: true,
    flags: [
      { name: 'duration', short: 'd', type: 'duration', usage: 'how long to send load (ignored with --requests)', defaultText: '10s', default: 10_000 },
      { name: 'concurrency', short: 'c', type: 'int', usage: 'number of concurrent connections', defaultText: '10', default: 10 },
      { name: 'rate', short: 'r', type: 'int', usage: 'maximum requests per second over all connections (0 = unlimited)', defaultText: '0', default: 0 },
      { name: 'requests', short: 'n', type: 'int', usage: 'stop after this many requests instead of after --duration (0 = off)', defaultText: '0', default: 0 },
      { name: 'method', short: 'm', type: 'string', usage: 'HTTP method', defaultText: 'GET', default: 'GET' },
      { name: 'data', type: 'string', usage: 'request body', default: '' },
      { name: 'header', short: 'H', type: 'stringArray', usage: 'request header "Name: value" (repeatable)', default: [] },
      { name: 'timeout', type: 'duration', usage: 'per-request timeout', defaultText: '10s', default: 10_000 },
      { name: 'insecure', short: 'k', type: 'bool', usage: 'skip TLS certificate verification', default: false },
      { name: 'json', type: 'bool', usage: 'print the report as JSON', default: false },
      { name: 'max-error-rate', type: 'float', usage: 'fail (exit 2) when the error rate is above this fraction, e.g. 0.01' },
      { name: 'max-p99', type: 'duration', usage: 'fail (exit 2) when the p99 latency is above this duration, e.g. 500ms' }
    ]
  })
  loadCmd.action(async (args: string[], opts: LoadOptions) => {
    if (args.length < 1) throw new CobraError('url is required! example: load http://localhost:9898/ --duration 30s', loadCmd)
    if (opts.concurrency < 1) throw new CobraError('--concurrency must be at least 1', loadCmd)
    if (opts.rate !== undefined && opts.rate < 0) throw new CobraError('--rate must not be negative', loadCmd)
    if (opts.duration <= 0 && (opts.requests ?? 0) <= 0) throw new CobraError('--duration must be positive', loadCmd)
    if (opts.maxErrorRate !== undefined && (opts.maxErrorRate < 0 || opts.maxErrorRate > 1)) {
      throw new CobraError('--max-error-rate must be between 0 and 1', loadCmd)
    }
    try {
      done(await (await import('./load.js')).load(ctx, args[0], opts))
    } catch (err) {
      throw new CobraError((err as Error).message, loadCmd)
    }
  })
  root.addCommand(loadCmd)

  const version = new CobraCommand({ use: 'version', short: 'Prints podcli version', runnable: true })
  version.action(async () => { ctx.stdout.write((await import('../schemas/config.js')).VERSION + '\n') })
  root.addCommand(version)

  root.addCommand(completionCommand(ctx, root))

  const help = new CobraCommand({
    use: 'help [command]',
    short: 'Help about any command',
    long: 'Help provides help for any command in the application.\nSimply type podcli help [path to command] for full details.',
    runnable: true
  })
  help.action((args: string[]) => {
    let cmd: CobraCommand | undefined = root
    for (const name of args) cmd = (cmd?.commands as CobraCommand[] | undefined)?.find((c) => c.name() === name)
    if (cmd === undefined) {
      ctx.stderr.write(`Unknown help topic [${args.map((a) => '`' + a + '`').join(' ')}]\n`)
      ctx.stderr.write(usageText(root))
      return
    }
    cmd.outputHelp()
  })
  root.addCommand(help)
  return root
}

function completionCommand (ctx: CliContext, root: CobraCommand): CobraCommand {
  const completion = new CobraCommand({
    use: 'completion',
    short: 'Generate the autocompletion script for the specified shell',
    long: 'Generate the autocompletion script for podcli for the specified shell.\n' +
      "See each sub-command's help for details on how to use the generated script.\n",
    runnable: false
  })
  completion.action(() => { completion.outputHelp() })
  const shells: Array<[string, (r: CobraCommand) => string, string]> = [
    ['bash', bashCompletion, 'source <(podcli completion bash)'],
    ['fish', fishCompletion, 'podcli completion fish | source'],
    ['powershell', powershellCompletion, 'podcli completion powershell | Out-String | Invoke-Expression'],
    ['zsh', zshCompletion, 'source <(podcli completion zsh)']
  ]
  for (const [shell, generate, hint] of shells) {
    const cmd = new CobraCommand({
      use: shell,
      short: `Generate the autocompletion script for ${shell}`,
      long: `Generate the autocompletion script for the ${shell} shell.\n\nTo load completions in your current shell session:\n\n\t${hint}\n`,
      runnable: true
    })
    cmd.action(() => { ctx.stdout.write(generate(root)) })
    completion.addCommand(cmd)
  }
  return completion
}

function boolFlags (cmd: CobraCommand, into = new Set<string>(['help'])): Set<string> {
  for (const flag of cmd.spec.flags ?? []) if (flag.type === 'bool') into.add(flag.name)
  for (const sub of cmd.commands as CobraCommand[]) boolFlags(sub, into)
  return into
}

/** Run podcli with `argv` (without node and script) and return the process exit code. */
export async function runCli (argv: string[], io: CliIo): Promise<number> {
  const ctx: CliContext = { log: new DevLogger(io.stderr), stdout: io.stdout, stderr: io.stderr, stdin: io.stdin }
  let exitCode = 0
  const root = buildProgram(ctx, (code) => { exitCode = code })
  root.useOutput({ out: (s) => io.stdout.write(s), err: (s) => io.stderr.write(s) })
  try {
    await root.parseAsync(normaliseBoolFlags(argv, boolFlags(root)), { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0
      io.stderr.write(`Error: ${err.message}\n`)
      return err.exitCode
    }
    const message = (err as Error).message
    io.stderr.write(`Error: ${message}\n`)
    if (err instanceof CobraError) {
      if (err.kind === 'unknown-command') io.stderr.write(`Run '${err.command.path} --help' for usage.\n`)
      else io.stderr.write(usageText(err.command) + '\n')
    }
    io.stdout.write(message.charAt(0).toUpperCase() + message.slice(1) + '\n')
    return 1
  }
}
