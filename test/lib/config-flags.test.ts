import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigExit, helpText, loadConfig } from '../../lib/config.js'

const OPTS = { hostname: 'test-host', revision: 'abc123' }

// Exactly what podinfo 6.14.1 prints for --help (spec §2.1).
const HELP = [
  'Usage of default:',
  '      --backend-url strings                backend service URL',
  '      --cache-server string                Redis address in the format \'tcp://<host>:<port>\'',
  '      --cert-path string                   certificate path for HTTPS port (default "/data/cert")',
  '      --config string                      config file name (default "config.yaml")',
  '      --config-path string                 config dir path',
  '      --data-path string                   data local path (default "/data")',
  '      --grpc-port int                      gRPC port',
  '      --grpc-service-name string           gPRC service name (default "podinfo")',
  '      --h2c                                allow upgrading to H2C',
  '      --host string                        Host to bind service to',
  '      --http-client-timeout duration       client timeout duration (default 2m0s)',
  '      --http-server-timeout duration       server read and write timeout duration (default 30s)',
  '      --level string                       log level debug, info, warn, error, fatal or panic (default "info")',
  '      --otel-service-name string           service name for OpenTelemetry, when not set tracing and log export are disabled',
  '      --port int                           HTTP port to bind service to (default 9898)',
  '      --port-metrics int                   metrics port',
  '      --prefix string                      URL path prefix for HTTP routes (default "/")',
  '      --random-delay                       between 0 and 5 seconds random delay by default',
  '      --random-delay-max int               max for random delay: 5 by default (default 5)',
  '      --random-delay-min int               min for random delay: 0 by default',
  '      --random-delay-unit string           either s(seconds) or ms(milliseconds (default "s")',
  '      --random-error                       1/3 chances of a random response error',
  '      --secure-port int                    HTTPS port',
  '      --server-shutdown-timeout duration   server graceful shutdown timeout duration (default 5s)',
  '      --stress-cpu int                     number of CPU cores with 100 load',
  '      --stress-memory int                  MB of data to load into memory',
  '      --ui-color string                    UI color (default "#34577c")',
  '      --ui-logo string                     UI logo',
  '      --ui-message string                  UI message (default "greetings from podinfo v6.14.1")',
  '      --ui-path string                     UI local path (default "./ui")',
  '      --unhealthy                          when set, healthy state is never reached',
  '      --unready                            when set, ready state is never reached',
  '  -v, --version                            get version number'
].join('\n') + '\n'
const FLAG_LIST = HELP.slice('Usage of default:\n'.length)

function exitOf (argv: string[], env: Record<string, string> = {}): ConfigExit {
  try {
    loadConfig(env, argv, OPTS)
  } catch (err) {
    if (err instanceof ConfigExit) return err
    throw err
  }
  assert.fail(`expected a ConfigExit for ${JSON.stringify(argv)}`)
}

function parseError (argv: string[]): string {
  const exit = exitOf(argv)
  assert.equal(exit.code, 2)
  assert.equal(exit.stdout, '')
  const prefix = 'Error: '
  assert.ok(exit.stderr.startsWith(prefix), exit.stderr)
  const end = exit.stderr.indexOf('\n\n')
  assert.equal(exit.stderr.slice(end + 2), FLAG_LIST, 'flag list after the blank line')
  return exit.stderr.slice(0, end)
}

test('helpText() is podinfo\'s usage text byte for byte', () => {
  assert.equal(helpText(), HELP)
})

test('--help and -h print the usage to stderr and exit 0', () => {
  for (const argv of [['--help'], ['-h'], ['--help=false'], ['--port=1', '-h', '--no-such-flag'], ['-vh'], ['extra', '--help']]) {
    const exit = exitOf(argv)
    assert.equal(exit.code, 0, argv.join(' '))
    assert.equal(exit.stdout, '')
    assert.equal(exit.stderr, HELP)
  }
})

test('an error before --help wins', () => {
  assert.equal(parseError(['--no-such-flag', '--help']), 'Error: unknown flag: --no-such-flag')
})

test('--version and -v print 6.14.1 on stdout and exit 0, without reading env', () => {
  for (const argv of [['--version'], ['-v'], ['-v=true'], ['--version=1'], ['--version', 'false'], ['-v', '--port=1']]) {
    const exit = exitOf(argv, { PODINFO_RANDOM_DELAY_UNIT: 'bogus', PODINFO_H2C: 'bogus' })
    assert.equal(exit.code, 0, argv.join(' '))
    assert.equal(exit.stdout, '6.14.1\n')
    assert.equal(exit.stderr, '')
  }
  // a parse error anywhere wins over --version
  assert.equal(parseError(['--version', '--port=x']), 'Error: invalid argument "x" for "--port" flag: strconv.ParseInt: parsing "x": invalid syntax')
  // --version=false is not a version request
  assert.equal(loadConfig({}, ['--version=false'], OPTS).version, '6.14.1')
  assert.equal(loadConfig({}, ['-v=0'], OPTS).port, 9898)
})

test('parse errors: exact pflag messages, exit 2, flag list without the first line', () => {
  const cases: Array<[string[], string]> = [
    [['--no-such-flag'], 'Error: unknown flag: --no-such-flag'],
    [['--no-such-flag=value'], 'Error: unknown flag: --no-such-flag'],
    [['--v'], 'Error: unknown flag: --v'],
    [['--Port=1'], 'Error: unknown flag: --Port'],
    [['--backendUrl=x'], 'Error: unknown flag: --backendUrl'],
    [['-port=1'], 'Error: unknown shorthand flag: \'p\' in -port=1'],
    [['-x'], 'Error: unknown shorthand flag: \'x\' in -x'],
    [['-vx'], 'Error: unknown shorthand flag: \'x\' in -x'],
    [['-vfalse'], 'Error: unknown shorthand flag: \'f\' in -false'],
    [['-\''], 'Error: unknown shorthand flag: \'\\\'\' in -\''],
    [['--port'], 'Error: flag needs an argument: --port'],
    [['--host'], 'Error: flag needs an argument: --host'],
    [['--backend-url'], 'Error: flag needs an argument: --backend-url'],
    [['--http-server-timeout'], 'Error: flag needs an argument: --http-server-timeout'],
    [['--port=abc'], 'Error: invalid argument "abc" for "--port" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['--port', 'abc'], 'Error: invalid argument "abc" for "--port" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['--port='], 'Error: invalid argument "" for "--port" flag: strconv.ParseInt: parsing "": invalid syntax'],
    [['--port=1.5'], 'Error: invalid argument "1.5" for "--port" flag: strconv.ParseInt: parsing "1.5": invalid syntax'],
    [['--port=99999999999999999999'], 'Error: invalid argument "99999999999999999999" for "--port" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    [['--port=a"b'], 'Error: invalid argument "a\\"b" for "--port" flag: strconv.ParseInt: parsing "a\\"b": invalid syntax'],
    [['--grpc-port=tcp://10.0.0.1:9999'], 'Error: invalid argument "tcp://10.0.0.1:9999" for "--grpc-port" flag: strconv.ParseInt: parsing "tcp://10.0.0.1:9999": invalid syntax'],
    [['--h2c=yes'], 'Error: invalid argument "yes" for "--h2c" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['--unready='], 'Error: invalid argument "" for "--unready" flag: strconv.ParseBool: parsing "": invalid syntax'],
    [['--version=yes'], 'Error: invalid argument "yes" for "-v, --version" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['-v=yes'], 'Error: invalid argument "yes" for "-v, --version" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['--http-server-timeout=10'], 'Error: invalid argument "10" for "--http-server-timeout" flag: time: missing unit in duration "10"'],
    [['--http-client-timeout', 'abc'], 'Error: invalid argument "abc" for "--http-client-timeout" flag: time: invalid duration "abc"'],
    [['--server-shutdown-timeout=1d'], 'Error: invalid argument "1d" for "--server-shutdown-timeout" flag: time: unknown unit "d" in duration "1d"'],
    [['--backend-url=a"b'], 'Error: invalid argument "a\\"b" for "--backend-url" flag: parse error on line 1, column 2: bare " in non-quoted-field'],
    [['--backend-url=x,a"b'], 'Error: invalid argument "x,a\\"b" for "--backend-url" flag: parse error on line 1, column 4: bare " in non-quoted-field'],
    [['--backend-url="a"b'], 'Error: invalid argument "\\"a\\"b" for "--backend-url" flag: parse error on line 1, column 3: extraneous or missing " in quoted-field'],
    [['--backend-url="abc'], 'Error: invalid argument "\\"abc" for "--backend-url" flag: parse error on line 1, column 5: extraneous or missing " in quoted-field'],
    [['--backend-url="a\nb'], 'Error: invalid argument "\\"a\\nb" for "--backend-url" flag: record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field'],
    [['--backend-url="a\n'], 'Error: invalid argument "\\"a\\n" for "--backend-url" flag: parse error on line 1, column 4: extraneous or missing " in quoted-field'],
    [['--backend-url=\n'], 'Error: invalid argument "\\n" for "--backend-url" flag: EOF'],
    [['---x'], 'Error: bad flag syntax: ---x'],
    [['--=x'], 'Error: bad flag syntax: --=x'],
    [['---'], 'Error: bad flag syntax: ---'],
    [['--port=1', '--nope'], 'Error: unknown flag: --nope']
  ]
  for (const [argv, message] of cases) {
    assert.equal(parseError(argv), message, JSON.stringify(argv))
  }
})

test('booleans: --name and --name=<Go bool>, but --name false leaves false as a positional', () => {
  assert.equal(loadConfig({}, ['--h2c'], OPTS).h2c, true)
  for (const yes of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(loadConfig({}, [`--h2c=${yes}`], OPTS).h2c, true, yes)
  for (const no of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(loadConfig({}, [`--h2c=${no}`], OPTS).h2c, false, no)
  assert.equal(loadConfig({}, ['--h2c', 'false'], OPTS).h2c, true)
  assert.equal(loadConfig({}, ['--unhealthy', 'false', '--unready'], OPTS).unhealthy, true)
  // an explicit false beats the environment
  assert.equal(loadConfig({ PODINFO_RANDOM_ERROR: 'true' }, ['--random-error=false'], OPTS).randomError, false)
})

test('--name value and --name=value; the last occurrence wins', () => {
  assert.equal(loadConfig({}, ['--port', '8080'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=8080'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=1', '--port=2'], OPTS).port, 2)
  assert.equal(loadConfig({}, ['--host', '--port'], OPTS).host, '--port') // a value may look like a flag
  assert.equal(loadConfig({}, ['--random-delay-min', '-3', '--random-delay-max', '-1'], OPTS).randomDelayMin, -3)
  assert.equal(loadConfig({}, ['--ui-message=a=b'], OPTS).uiMessage, 'a=b')
  assert.equal(loadConfig({}, ['--ui-message='], OPTS).uiMessage, '')
})

test('int flags take Go integer syntax', () => {
  assert.equal(loadConfig({}, ['--port=0x1F90'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=0o17620'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=017620'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=0b1111110010000'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=8_080'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=+8080'], OPTS).port, 8080)
  assert.equal(parseError(['--port=8__080']), 'Error: invalid argument "8__080" for "--port" flag: strconv.ParseInt: parsing "8__080": invalid syntax')
  for (const bad of ['0x', '0o', '0b', '0b2', '_1', '1_', '0x_']) {
    assert.equal(parseError([`--port=${bad}`]), `Error: invalid argument "${bad}" for "--port" flag: strconv.ParseInt: parsing "${bad}": invalid syntax`)
  }
  assert.equal(loadConfig({}, ['--port=0'], OPTS).port, 0)
  assert.equal(loadConfig({}, ['--port=0_7'], OPTS).port, 7)
  assert.equal(loadConfig({}, ['--port=0x_1F90'], OPTS).port, 8080)
  assert.equal(loadConfig({}, ['--port=-0'], OPTS).port, 0)
  assert.equal(parseError(['--port=09']), 'Error: invalid argument "09" for "--port" flag: strconv.ParseInt: parsing "09": invalid syntax')
})

test('duration flags take Go syntax and are stored in milliseconds', () => {
  const config = loadConfig({}, ['--http-client-timeout=1.5s', '--http-server-timeout', '2m', '--server-shutdown-timeout=1h30m'], OPTS)
  assert.equal(config.httpClientTimeout, 1500)
  assert.equal(config.httpServerTimeout, 120_000)
  assert.equal(config.serverShutdownTimeout, 5_400_000)
  assert.equal(loadConfig({}, ['--http-server-timeout=0'], OPTS).httpServerTimeout, 0)
})

test('string slices: comma-separated (CSV), repeatable, appending', () => {
  assert.deepEqual(loadConfig({}, ['--backend-url=http://a,http://b'], OPTS).backendUrl, ['http://a', 'http://b'])
  assert.deepEqual(loadConfig({}, ['--backend-url', 'http://a', '--backend-url=http://b,http://c'], OPTS).backendUrl, ['http://a', 'http://b', 'http://c'])
  assert.deepEqual(loadConfig({}, ['--backend-url='], OPTS).backendUrl, [])
  assert.deepEqual(loadConfig({}, ['--backend-url="a,b",c'], OPTS).backendUrl, ['a,b', 'c'])
  assert.deepEqual(loadConfig({}, ['--backend-url= a , b'], OPTS).backendUrl, [' a ', ' b'])
  assert.deepEqual(loadConfig({}, ['--backend-url="a ""quoted"" b",c'], OPTS).backendUrl, ['a "quoted" b', 'c'])
  assert.deepEqual(loadConfig({}, ['--backend-url="a\r\nb",c\nignored'], OPTS).backendUrl, ['a\nb', 'c'])
  assert.deepEqual(loadConfig({}, ['--backend-url=\n\na,b'], OPTS).backendUrl, ['a', 'b'])
})

test('positional arguments are ignored; -- ends the flags', () => {
  assert.equal(loadConfig({}, ['serve', '-', '', '--port=1234', 'x'], OPTS).port, 1234)
  assert.equal(loadConfig({}, ['--', '--port=1234', '--no-such-flag'], OPTS).port, 9898)
  assert.equal(loadConfig({}, ['--port=1', '--', '--port=2'], OPTS).port, 1)
  assert.equal(loadConfig({}, ['--', '--help', '-v'], OPTS).version, '6.14.1') // no help, no version exit
})
