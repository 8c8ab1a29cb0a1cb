import { test } from 'node:test'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { ConfigExit, loadConfig, normalizePrefix } from '../../lib/config.js'
import type { Config } from '../../schemas/config.js'

const OPTS = { hostname: 'test-host', revision: 'abc123' }

function exitOf (fn: () => unknown): ConfigExit {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigExit) return err
    throw err
  }
  assert.fail('expected a ConfigExit')
}

/** The single JSON log line a ConfigExit carries on stderr. */
function logOf (exit: ConfigExit): Record<string, unknown> {
  assert.equal(exit.stdout, '')
  assert.ok(exit.stderr.endsWith('\n'))
  assert.equal(exit.stderr.split('\n').length, 2, 'exactly one line')
  const line = JSON.parse(exit.stderr) as Record<string, unknown>
  assert.deepEqual(Object.keys(line).slice(0, 3), ['level', 'ts', 'msg'])
  assert.equal(line.level, 'panic')
  assert.match(String(line.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  return line
}

const DEFAULTS: Config = {
  host: '',
  prefix: '/',
  port: 9898,
  securePort: 0,
  portMetrics: 0,
  grpcPort: 0,
  grpcServiceName: 'podinfo',
  level: 'info',
  backendUrl: [],
  httpClientTimeout: 120_000,
  httpServerTimeout: 30_000,
  serverShutdownTimeout: 5000,
  dataPath: '/data',
  configPath: '',
  certPath: '/data/cert',
  config: 'config.yaml',
  uiPath: './ui',
  uiLogo: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif',
  uiColor: '#34577c',
  uiMessage: 'greetings from podinfo v6.14.1',
  h2c: false,
  randomDelay: false,
  randomDelayUnit: 's',
  randomDelayMin: 0,
  randomDelayMax: 5,
  randomError: false,
  unhealthy: false,
  unready: false,
  stressCpu: 0,
  stressMemory: 0,
  cacheServer: '',
  otelServiceName: '',
  jwtSecret: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  hostname: 'test-host',
  version: '6.14.1',
  revision: 'abc123'
}

test('every default, with nothing set', () => {
  assert.deepEqual(loadConfig({}, [], OPTS), DEFAULTS)
})

test('loadConfig() works with no arguments at all', () => {
  const config = loadConfig()
  assert.equal(config.port, 9898)
  assert.equal(config.version, '6.14.1')
  assert.equal(typeof config.hostname, 'string')
  assert.ok(config.hostname.length > 0)
  assert.ok(config.revision.length > 0)
})

test('hostname, version and revision are forced', () => {
  const env = { PODINFO_HOSTNAME: 'nope', PODINFO_VERSION: '0.0.1', PODINFO_REVISION: 'nope' }
  const config = loadConfig(env, [], OPTS)
  assert.equal(config.hostname, 'test-host')
  assert.equal(config.version, '6.14.1')
  assert.equal(config.revision, 'abc123')
})

// [env var, value, config field, expected]
const ENV_CASES: Array<[string, string, keyof Config, unknown]> = [
  ['PODINFO_HOST', '127.0.0.1', 'host', '127.0.0.1'],
  ['PODINFO_PREFIX', '/api/v1/', 'prefix', '/api/v1'],
  ['PODINFO_PORT', '19898', 'port', 19898],
  ['PODINFO_SECURE_PORT', '19443', 'securePort', 19443],
  ['PODINFO_PORT_METRICS', '19797', 'portMetrics', 19797],
  ['PODINFO_GRPC_PORT', '19999', 'grpcPort', 19999],
  ['PODINFO_GRPC_SERVICE_NAME', 'svc', 'grpcServiceName', 'svc'],
  ['PODINFO_LEVEL', 'debug', 'level', 'debug'],
  ['PODINFO_BACKEND_URL', 'http://a:9898/echo,http://b:9898/echo', 'backendUrl', ['http://a:9898/echo', 'http://b:9898/echo']],
  ['PODINFO_HTTP_CLIENT_TIMEOUT', '1m30s', 'httpClientTimeout', 90_000],
  ['PODINFO_HTTP_SERVER_TIMEOUT', '300ms', 'httpServerTimeout', 300],
  ['PODINFO_SERVER_SHUTDOWN_TIMEOUT', '1h', 'serverShutdownTimeout', 3_600_000],
  ['PODINFO_DATA_PATH', '/tmp/data', 'dataPath', '/tmp/data'],
  ['PODINFO_CONFIG_PATH', '/nonexistent-podinfo-config', 'configPath', '/nonexistent-podinfo-config'],
  ['PODINFO_CERT_PATH', '/tmp/cert', 'certPath', '/tmp/cert'],
  ['PODINFO_CONFIG', 'other.json', 'config', 'other.json'],
  ['PODINFO_UI_PATH', '/srv/ui', 'uiPath', '/srv/ui'],
  ['PODINFO_UI_LOGO', 'https://example.com/logo.png', 'uiLogo', 'https://example.com/logo.png'],
  ['PODINFO_UI_COLOR', '#ff0000', 'uiColor', '#ff0000'],
  ['PODINFO_UI_MESSAGE', 'hello', 'uiMessage', 'hello'],
  ['PODINFO_H2C', 'true', 'h2c', true],
  ['PODINFO_RANDOM_DELAY', 'T', 'randomDelay', true],
  ['PODINFO_RANDOM_DELAY_UNIT', 'ms', 'randomDelayUnit', 'ms'],
  ['PODINFO_RANDOM_DELAY_MIN', '2', 'randomDelayMin', 2],
  ['PODINFO_RANDOM_DELAY_MAX', '9', 'randomDelayMax', 9],
  ['PODINFO_RANDOM_ERROR', '1', 'randomError', true],
  ['PODINFO_UNHEALTHY', 'TRUE', 'unhealthy', true],
  ['PODINFO_UNREADY', 'True', 'unready', true],
  ['PODINFO_STRESS_CPU', '2', 'stressCpu', 2],
  ['PODINFO_STRESS_MEMORY', '64', 'stressMemory', 64],
  ['PODINFO_CACHE_SERVER', 'tcp://127.0.0.1:6379', 'cacheServer', 'tcp://127.0.0.1:6379'],
  ['PODINFO_OTEL_SERVICE_NAME', 'podinfo-otel', 'otelServiceName', 'podinfo-otel'],
  ['PODINFO_JWT_SECRET', 's3cr3t', 'jwtSecret', 's3cr3t']
]

test('every PODINFO_* variable maps to its key, and only that key changes', () => {
  for (const [name, value, field, expected] of ENV_CASES) {
    const config = loadConfig({ [name]: value }, [], OPTS)
    assert.deepEqual(config, { ...DEFAULTS, [field]: expected }, name)
  }
})

test('every flag maps to its key, and only that key changes', () => {
  for (const [name, value, field, expected] of ENV_CASES) {
    if (name === 'PODINFO_JWT_SECRET') continue // env/config only
    const flag = '--' + name.slice('PODINFO_'.length).toLowerCase().replaceAll('_', '-')
    const config = loadConfig({}, [`${flag}=${value}`], OPTS)
    assert.deepEqual(config, { ...DEFAULTS, [field]: expected }, flag)
  }
})

test('jwt-secret has no flag', () => {
  const exit = exitOf(() => loadConfig({}, ['--jwt-secret=x'], OPTS))
  assert.equal(exit.code, 2)
  assert.match(exit.stderr, /^Error: unknown flag: --jwt-secret\n\n/)
})

test('empty environment values are treated as unset', () => {
  const env: Record<string, string> = {}
  for (const [name] of ENV_CASES) env[name] = ''
  assert.deepEqual(loadConfig(env, [], OPTS), DEFAULTS)
  assert.deepEqual(loadConfig({ PODINFO_PORT: undefined }, [], OPTS), DEFAULTS)
})

test('precedence: explicit flag > env > defaults', () => {
  assert.equal(loadConfig({ PODINFO_PORT: '2000' }, ['--port=3000'], OPTS).port, 3000)
  assert.equal(loadConfig({ PODINFO_PORT: '2000' }, [], OPTS).port, 2000)
  // an explicit flag equal to its default still wins over the env
  assert.equal(loadConfig({ PODINFO_PORT: '2000' }, ['--port', '9898'], OPTS).port, 9898)
  assert.equal(loadConfig({ PODINFO_H2C: 'true' }, ['--h2c=false'], OPTS).h2c, false)
  assert.equal(loadConfig({ PODINFO_UI_LOGO: 'env-logo' }, ['--ui-logo='], OPTS).uiLogo, '')
  assert.equal(loadConfig({ PODINFO_UI_LOGO: 'env-logo' }, [], OPTS).uiLogo, 'env-logo')
  assert.deepEqual(loadConfig({ PODINFO_BACKEND_URL: 'http://env' }, ['--backend-url=http://flag'], OPTS).backendUrl, ['http://flag'])
})

test('env values use Go conversions', () => {
  assert.equal(loadConfig({ PODINFO_PORT_METRICS: '0x10' }, [], OPTS).portMetrics, 16)
  assert.equal(loadConfig({ PODINFO_PORT_METRICS: '0o17' }, [], OPTS).portMetrics, 15)
  assert.equal(loadConfig({ PODINFO_PORT_METRICS: '0b101' }, [], OPTS).portMetrics, 5)
  assert.equal(loadConfig({ PODINFO_PORT_METRICS: '010' }, [], OPTS).portMetrics, 8)
  assert.equal(loadConfig({ PODINFO_PORT_METRICS: '1_000' }, [], OPTS).portMetrics, 1000)
  assert.equal(loadConfig({ PODINFO_RANDOM_DELAY_MIN: '-3' }, [], OPTS).randomDelayMin, -3)
  for (const yes of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(loadConfig({ PODINFO_UNREADY: yes }, [], OPTS).unready, true, yes)
  for (const no of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(loadConfig({ PODINFO_UNREADY: no }, [], OPTS).unready, false, no)
  // string slices from env: split on ',' exactly, no trimming
  assert.deepEqual(loadConfig({ PODINFO_BACKEND_URL: ' a , b,,c' }, [], OPTS).backendUrl, [' a ', ' b', '', 'c'])
  // sub-millisecond durations round up to a whole millisecond, zero stays zero
  assert.equal(loadConfig({ PODINFO_HTTP_SERVER_TIMEOUT: '1500us' }, [], OPTS).httpServerTimeout, 2)
  assert.equal(loadConfig({ PODINFO_HTTP_SERVER_TIMEOUT: '1ns' }, [], OPTS).httpServerTimeout, 1)
  assert.equal(loadConfig({ PODINFO_HTTP_SERVER_TIMEOUT: '0' }, [], OPTS).httpServerTimeout, 0)
})

test('--level: any value other than the six levels means info', () => {
  for (const level of ['debug', 'info', 'warn', 'error', 'fatal', 'panic']) {
    assert.equal(loadConfig({ PODINFO_LEVEL: level }, [], OPTS).level, level)
  }
  for (const level of ['DEBUG', 'trace', 'warning', ' debug', '5']) {
    assert.equal(loadConfig({ PODINFO_LEVEL: level }, [], OPTS).level, 'info', level)
    assert.equal(loadConfig({}, ['--level', level], OPTS).level, 'info', level)
  }
})

test('--prefix is stored normalised', () => {
  const cases: Array<[string, string]> = [
    ['/', '/'],
    ['', '/'],
    ['  ', '/'],
    [' /foo/ ', '/foo'],
    ['foo', '/foo'],
    ['/foo/', '/foo'],
    ['//foo//bar//', '/foo/bar'],
    ['/a/./b/../c', '/a/c'],
    ['/..', '/'],
    ['../x', '/x'],
    ['///', '/']
  ]
  for (const [input, expected] of cases) {
    assert.equal(normalizePrefix(input), expected, JSON.stringify(input))
    assert.equal(loadConfig({}, [`--prefix=${input}`], OPTS).prefix, expected, JSON.stringify(input))
  }
})

test('port fallback: a non-numeric PODINFO_PORT (Kubernetes service link) uses the flag value', () => {
  const link = 'tcp://10.0.0.1:9898'
  assert.equal(loadConfig({ PODINFO_PORT: link }, [], OPTS).port, 9898)
  assert.equal(loadConfig({ PODINFO_PORT: link }, ['--port=8080'], OPTS).port, 8080)
  assert.equal(loadConfig({ PODINFO_SECURE_PORT: 'tcp://10.0.0.1:9899' }, [], OPTS).securePort, 0)
  // the fallback is for base-10 integers only: 0x10 is not one
  assert.equal(loadConfig({ PODINFO_PORT: '0x10' }, [], OPTS).port, 9898)
  assert.equal(loadConfig({ PODINFO_PORT: '08080' }, [], OPTS).port, 8080)
})

test('grpc-port falls back too (deliberate difference: podinfo aborts)', () => {
  assert.equal(loadConfig({ PODINFO_GRPC_PORT: 'tcp://10.0.0.1:9999' }, [], OPTS).grpcPort, 0)
  assert.equal(loadConfig({ PODINFO_GRPC_PORT: 'tcp://10.0.0.1:9999' }, ['--grpc-port=9999'], OPTS).grpcPort, 9999)
  // Go integer syntax is still accepted
  assert.equal(loadConfig({ PODINFO_GRPC_PORT: '0x2710' }, [], OPTS).grpcPort, 10000)
})

test('port-metrics has no fallback: a non-numeric value aborts with exit 2', () => {
  const exit = exitOf(() => loadConfig({ PODINFO_PORT_METRICS: 'tcp://10.0.0.1:9797' }, [], OPTS))
  assert.equal(exit.code, 2)
  const line = logOf(exit)
  assert.equal(line.msg, 'config unmarshal failed')
  assert.equal(line.key, 'port-metrics')
  assert.equal(line.value, 'tcp://10.0.0.1:9797')
  assert.equal(line.source, 'PODINFO_PORT_METRICS')
  assert.equal(line.allowed, 'an integer (decimal, or Go base prefixes 0x, 0o, 0b)')
  assert.equal(line.error, 'cannot parse \'port-metrics\' as int: strconv.ParseInt: parsing "tcp://10.0.0.1:9797": invalid syntax')
})

test('conversion failures abort with "config unmarshal failed" naming key, value and what is allowed', () => {
  const cases: Array<[Record<string, string>, string, string, string]> = [
    [{ PODINFO_RANDOM_DELAY_MIN: 'abc' }, 'random-delay-min', 'an integer (decimal, or Go base prefixes 0x, 0o, 0b)', 'cannot parse \'random-delay-min\' as int: strconv.ParseInt: parsing "abc": invalid syntax'],
    [{ PODINFO_RANDOM_DELAY_MAX: '5x' }, 'random-delay-max', 'an integer (decimal, or Go base prefixes 0x, 0o, 0b)', 'cannot parse \'random-delay-max\' as int: strconv.ParseInt: parsing "5x": invalid syntax'],
    [{ PODINFO_H2C: 'yes' }, 'h2c', 'a boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False', 'cannot parse \'h2c\' as bool: strconv.ParseBool: parsing "yes": invalid syntax'],
    [{ PODINFO_RANDOM_DELAY: 'on' }, 'random-delay', 'a boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False', 'cannot parse \'random-delay\' as bool: strconv.ParseBool: parsing "on": invalid syntax'],
    [{ PODINFO_RANDOM_ERROR: 'no' }, 'random-error', 'a boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False', 'cannot parse \'random-error\' as bool: strconv.ParseBool: parsing "no": invalid syntax'],
    [{ PODINFO_UNHEALTHY: 'y' }, 'unhealthy', 'a boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False', 'cannot parse \'unhealthy\' as bool: strconv.ParseBool: parsing "y": invalid syntax'],
    [{ PODINFO_UNREADY: '2' }, 'unready', 'a boolean: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False', 'cannot parse \'unready\' as bool: strconv.ParseBool: parsing "2": invalid syntax'],
    [{ PODINFO_HTTP_CLIENT_TIMEOUT: '30' }, 'http-client-timeout', 'a Go duration such as 300ms, 30s, 2m or 1h30m (units ns, us, µs, ms, s, m, h)', 'error decoding \'http-client-timeout\': time: missing unit in duration "30"'],
    [{ PODINFO_HTTP_SERVER_TIMEOUT: 'soon' }, 'http-server-timeout', 'a Go duration such as 300ms, 30s, 2m or 1h30m (units ns, us, µs, ms, s, m, h)', 'error decoding \'http-server-timeout\': time: invalid duration "soon"'],
    [{ PODINFO_SERVER_SHUTDOWN_TIMEOUT: '5d' }, 'server-shutdown-timeout', 'a Go duration such as 300ms, 30s, 2m or 1h30m (units ns, us, µs, ms, s, m, h)', 'error decoding \'server-shutdown-timeout\': time: unknown unit "d" in duration "5d"']
  ]
  for (const [env, key, allowed, error] of cases) {
    const exit = exitOf(() => loadConfig(env, [], OPTS))
    assert.equal(exit.code, 2, key)
    const line = logOf(exit)
    assert.deepEqual({ ...line, ts: undefined }, {
      level: 'panic',
      ts: undefined,
      msg: 'config unmarshal failed',
      key,
      value: Object.values(env)[0],
      source: Object.keys(env)[0],
      allowed,
      error
    })
  }
})

test('non-numeric or negative stress-cpu / stress-memory count as 0', () => {
  const config = loadConfig({ PODINFO_STRESS_CPU: 'lots', PODINFO_STRESS_MEMORY: '-5' }, [], OPTS)
  assert.equal(config.stressCpu, 0)
  assert.equal(config.stressMemory, 0)
  assert.equal(loadConfig({ PODINFO_STRESS_MEMORY: '0x20' }, [], OPTS).stressMemory, 32)
  assert.equal(loadConfig({ PODINFO_STRESS_CPU: '2.0' }, [], OPTS).stressCpu, 2)
})

test('out-of-range numbers abort with exit 2 and one clear line', () => {
  const exit = exitOf(() => loadConfig({ PODINFO_PORT: '70000' }, [], OPTS))
  assert.equal(exit.code, 2)
  const line = logOf(exit)
  assert.equal(line.msg, 'config unmarshal failed')
  assert.equal(line.key, 'port')
  assert.equal(line.value, '70000')
  assert.equal(line.source, 'PODINFO_PORT')
  assert.equal(line.allowed, 'an integer from 0 to 65535')
  assert.equal(line.error, 'port must be <= 65535')

  const flag = logOf(exitOf(() => loadConfig({}, ['--grpc-port=-1'], OPTS)))
  assert.equal(flag.key, 'grpc-port')
  assert.equal(flag.source, '--grpc-port')
  assert.equal(flag.error, 'grpc-port must be >= 0')

  const duration = logOf(exitOf(() => loadConfig({ PODINFO_HTTP_SERVER_TIMEOUT: '-1s' }, [], OPTS)))
  assert.equal(duration.key, 'http-server-timeout')
  assert.equal(duration.error, 'http-server-timeout must be >= 0')
})

test('random-delay-max < random-delay-min aborts with exit 2, even when random delay is off', () => {
  for (const [env, argv] of [
    [{ PODINFO_RANDOM_DELAY_MAX: '1', PODINFO_RANDOM_DELAY_MIN: '2' }, []],
    [{}, ['--random-delay-min=6']],
    [{ PODINFO_RANDOM_DELAY_MAX: '-1' }, []]
  ] as Array<[Record<string, string>, string[]]>) {
    const exit = exitOf(() => loadConfig(env, argv, OPTS))
    assert.equal(exit.code, 2)
    const line = logOf(exit)
    assert.equal(line.msg, '`--random-delay-max` should be greater than `--random-delay-min`')
    assert.equal(typeof line['random-delay-min'], 'number')
    assert.equal(typeof line['random-delay-max'], 'number')
  }
  // equal bounds are accepted (podinfo's per-request crash on them is not reproduced)
  const config = loadConfig({}, ['--random-delay-min=3', '--random-delay-max=3'], OPTS)
  assert.equal(config.randomDelayMin, 3)
  assert.equal(config.randomDelayMax, 3)
})

test('the random-delay bounds check runs before conversion: a non-numeric max counts as 0 first', () => {
  // viper.GetInt("random-delay-max") is 0 for "abc", and 0 < min 1 ⇒ the bounds message wins
  const first = logOf(exitOf(() => loadConfig({ PODINFO_RANDOM_DELAY_MAX: 'abc', PODINFO_RANDOM_DELAY_MIN: '1' }, [], OPTS)))
  assert.equal(first.msg, '`--random-delay-max` should be greater than `--random-delay-min`')
  // with min 0 the bounds hold, and the conversion fails instead
  const second = logOf(exitOf(() => loadConfig({ PODINFO_RANDOM_DELAY_MAX: 'abc' }, [], OPTS)))
  assert.equal(second.msg, 'config unmarshal failed')
  assert.equal(second.key, 'random-delay-max')
})

test('random-delay-unit other than s|ms aborts with exit 2, even when random delay is off', () => {
  for (const unit of ['m', 'S', 'sec', 'µs']) {
    const exit = exitOf(() => loadConfig({ PODINFO_RANDOM_DELAY_UNIT: unit }, [], OPTS))
    assert.equal(exit.code, 2)
    const line = logOf(exit)
    assert.equal(line.msg, '`random-delay-unit` accepted values are: s|ms')
    assert.equal(line['random-delay-unit'], unit)
    assert.equal(line.allowed, 's|ms')
  }
  const exit = exitOf(() => loadConfig({}, ['--random-delay-unit='], OPTS))
  assert.equal(logOf(exit).msg, '`random-delay-unit` accepted values are: s|ms')
})

test('ConfigExit is an Error with code, stdout and stderr', () => {
  const exit = exitOf(() => loadConfig({ PODINFO_RANDOM_DELAY_UNIT: 'h' }, [], OPTS))
  assert.ok(exit instanceof Error)
  assert.equal(exit.name, 'ConfigExit')
  assert.equal(exit.code, 2)
  assert.equal(typeof exit.message, 'string')
})

test('loadConfig never reads the process environment', () => {
  // a child process whose own environment sets PODINFO_PORT and PODINFO_H2C
  const code = "const { loadConfig } = await import('./lib/config.ts'); const c = loadConfig({}); process.stdout.write(JSON.stringify([c.port, c.h2c]))"
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { PODINFO_PORT: '12345', PODINFO_H2C: 'true' },
    encoding: 'utf8'
  })
  assert.equal(out, '[9898,false]')
})
