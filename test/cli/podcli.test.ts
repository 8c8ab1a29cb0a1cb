import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { podcli } from './podcli.js'

const HTTP_USAGE = `Usage:
  podcli check http [address] [flags]

Examples:
  check http https://httpbin.org/anything --method=POST --retry=2 --delay=2s --timeout=3s --body='{"test"=1}'

Flags:
      --body string        HTTP POST/PUT content
      --delay duration     wait duration between retries (default 1s)
  -h, --help               help for http
      --method string      HTTP method (default "GET")
      --retry int          times to retry the HTTP call
      --timeout duration   timeout (default 5s)
`

describe('podcli commands and cobra conventions', { concurrency: 4 }, () => {
  it('version prints 6.14.1 and exits 0', async () => {
    const r = await podcli(['version'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '6.14.1\n')
    assert.equal(r.stderr, '')
  })

  it('no command prints the root help on stdout and exits 0', async () => {
    const r = await podcli([])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^\npodinfo command line utilities\n\nUsage:\n {2}podcli \[command\]\n\nAvailable Commands:\n/)
    for (const name of ['check', 'completion', 'help', 'load', 'version', 'ws']) {
      assert.match(r.stdout, new RegExp(`^ {2}${name} +\\S`, 'm'))
    }
    assert.match(r.stdout, /Use "podcli \[command\] --help" for more information about a command\.\n$/)
  })

  it('check http --help prints cobra help with pflag defaults', async () => {
    const r = await podcli(['check', 'http', '--help'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, 'HTTP(S) health check\n\n' + HTTP_USAGE)
    const h = await podcli(['help', 'check', 'http'])
    assert.equal(h.stdout, r.stdout)
  })

  it('check without a subcommand prints its help and exits 0', async () => {
    const r = await podcli(['check'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^Commands for running health checks\n\nUsage:\n {2}podcli check \[command\]\n/)
    assert.match(r.stdout, /^ {2}cert +SSL\/TLS certificate validity check$/m)
    assert.match(r.stdout, /^ {2}ws +WebSocket round-trip health check$/m)
  })

  it('unknown command: Error + hint on stderr, capitalised message on stdout, exit 1', async () => {
    const r = await podcli(['chek'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Error: unknown command "chek" for "podcli"\n\nDid you mean this?\n\tcheck\n\nRun \'podcli --help\' for usage.\n')
    assert.equal(r.stdout, 'Unknown command "chek" for "podcli"\n\nDid you mean this?\n\tcheck\n\n')
  })

  it('negative --retry: Error + usage on stderr, message on stdout, exit 1', async () => {
    const r = await podcli(['check', 'http', 'localhost:1', '--retry=-1'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Error: --retry is required\n' + HTTP_USAGE + '\n')
    assert.equal(r.stdout, '--retry is required\n')
  })

  it('missing addresses name an example', async () => {
    const cases: Array<[string[], string]> = [
      [['check', 'http'], 'address is required! example: check http https://httpbin.org'],
      [['check', 'tcp'], 'address is required! example: check tcp httpbin.org:80'],
      [['check', 'grpc'], 'address is required! example: check grpc localhost:8080'],
      [['check', 'ws'], 'address is required! example: check ws wss://localhost:9898/ws/echo'],
      [['check', 'cert'], 'address is required! example: check cert httpbin.org'],
      [['ws'], 'address is required']
    ]
    await Promise.all(cases.map(async ([args, message]) => {
      const r = await podcli(args)
      assert.equal(r.code, 1, args.join(' '))
      assert.ok(r.stderr.startsWith(`Error: ${message}\nUsage:\n`), r.stderr)
      assert.equal(r.stdout, message.charAt(0).toUpperCase() + message.slice(1) + '\n')
    }))
  })

  it('flag errors read like pflag', async () => {
    const [unknown, badDuration, badInt, missing] = await Promise.all([
      podcli(['check', 'tcp', 'x:1', '--nope']),
      podcli(['check', 'tcp', 'x:1', '--delay', '5']),
      podcli(['check', 'tcp', 'x:1', '--retry=two']),
      podcli(['check', 'tcp', 'x:1', '--timeout'])
    ])
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stdout, 'Unknown flag: --nope\n')
    assert.equal(badDuration.stdout, 'Invalid argument "5" for "--delay" flag: time: missing unit in duration "5"\n')
    assert.equal(badInt.stdout, 'Invalid argument "two" for "--retry" flag: strconv.ParseInt: parsing "two": invalid syntax\n')
    assert.equal(missing.stdout, 'Flag needs an argument: --timeout\n')
    for (const r of [unknown, badDuration, badInt, missing]) {
      assert.equal(r.code, 1)
      assert.match(r.stderr, /^Error: .*\nUsage:\n {2}podcli check tcp \[address\] \[flags\]\n/)
    }
  })

  it('check ws rejects addresses without ws:// or wss://', async () => {
    const r = await podcli(['check', 'ws', 'localhost:9898/ws/echo'])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, 'Address must start with ws:// or wss://\n')
    assert.match(r.stderr, /^Error: address must start with ws:\/\/ or wss:\/\/\nUsage:\n {2}podcli check ws/)
  })

  it('completion bash prints a script that completes the command tree', async () => {
    const r = await podcli(['completion', 'bash'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^# bash completion for podcli\n/)
    assert.match(r.stdout, /"check http"\) opts="--help -h --method --body --retry --delay --timeout"/)
    assert.match(r.stdout, /complete -o default -F __podcli_complete podcli\n$/)
  })
})
