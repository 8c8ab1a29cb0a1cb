import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigExit, loadConfig, readRevisionFile } from '../../lib/config.js'
import type { Config } from '../../schemas/config.js'

const OPTS = { hostname: 'test-host', revision: 'abc123' }

function tempDir (t: TestContext, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

/** loadConfig with a config dir; returns the config and what went to stdout. */
function load (dir: string, argv: string[] = [], env: Record<string, string> = {}, cwd = dir): { config: Config, stdout: string[] } {
  const stdout: string[] = []
  const config = loadConfig({ PODINFO_CONFIG_PATH: dir, ...env }, argv, { ...OPTS, cwd, stdout: (line) => stdout.push(line) })
  return { config, stdout }
}

const YAML = `port: 19898
ui-message: "hello"
backend-url: ["http://backend:9898/echo"]
random-delay: true
jwt-secret: s3cr3t
`

test('yaml: the spec example', (t) => {
  const dir = tempDir(t, { 'config.yaml': YAML })
  const { config, stdout } = load(dir)
  assert.deepEqual(stdout, [])
  assert.equal(config.port, 19898)
  assert.equal(config.uiMessage, 'hello')
  assert.deepEqual(config.backendUrl, ['http://backend:9898/echo'])
  assert.equal(config.randomDelay, true)
  assert.equal(config.jwtSecret, 's3cr3t')
  assert.equal(config.configPath, dir)
})

test('every format podinfo parses gives the same values', (t) => {
  const files: Record<string, string> = {
    'c.json': '{"port": 19898, "ui-message": "hello", "backend-url": ["http://a", "http://b"], "random-delay": true, "jwt-secret": "s3cr3t", "http-server-timeout": "1m"}',
    'c.toml': 'port = 19898\nui-message = "hello"\nbackend-url = ["http://a", "http://b"]\nrandom-delay = true\njwt-secret = "s3cr3t"\nhttp-server-timeout = "1m"\n',
    'c.yaml': 'port: 19898\nui-message: hello\nbackend-url:\n  - http://a\n  - http://b\nrandom-delay: true\njwt-secret: s3cr3t\nhttp-server-timeout: 1m\n',
    'c.yml': 'port: 19898\nui-message: hello\nbackend-url: http://a,http://b\nrandom-delay: true\njwt-secret: s3cr3t\nhttp-server-timeout: 1m\n',
    'c.properties': '# comment\n! also a comment\nport = 19898\nui-message: hel\\\n    lo\nbackend-url http://a,http://b\nrandom-delay=true\njwt-secret=s3cr3t\nhttp-server-timeout=1m\n',
    'c.props': 'port=19898\nui-message=hello\nbackend-url=http://a,http://b\nrandom-delay=true\njwt-secret=s3cr3t\nhttp-server-timeout=1m\n',
    'c.prop': 'port=19898\nui-message=hello\nbackend-url=http://a,http://b\nrandom-delay=true\njwt-secret=s3cr3t\nhttp-server-timeout=1m\n',
    'c.dotenv': '# comment\nPORT=19898\nexport UI-MESSAGE="hello"\nBACKEND-URL=http://a,http://b # trailing comment\nRANDOM-DELAY=true\nJWT-SECRET=\'s3cr3t\'\nHTTP-SERVER-TIMEOUT=1m\n',
    'c.env': 'port=19898\nui-message=hello\nbackend-url=http://a,http://b\nrandom-delay=true\njwt-secret=s3cr3t\nhttp-server-timeout=1m\n',
    'c.ini': '; comment\nport = 19898\nui-message = "hello"\nbackend-url = http://a,http://b\nrandom-delay = true ; inline comment\njwt-secret = s3cr3t\nhttp-server-timeout = 1m\n[other]\nport = 1\n'
  }
  for (const [name, content] of Object.entries(files)) {
    const dir = tempDir(t, { [name]: content })
    const { config, stdout } = load(dir, [`--config=${name}`])
    assert.deepEqual(stdout, [], name)
    assert.equal(config.port, 19898, name)
    assert.equal(config.uiMessage, 'hello', name)
    assert.deepEqual(config.backendUrl, ['http://a', 'http://b'], name)
    assert.equal(config.randomDelay, true, name)
    assert.equal(config.jwtSecret, 's3cr3t', name)
    assert.equal(config.httpServerTimeout, 60_000, name)
  }
})

test('hcl and tfvars are reported as unsupported and startup continues', (t) => {
  for (const name of ['c.hcl', 'c.tfvars']) {
    const dir = tempDir(t, { [name]: 'port = 19898\n' })
    const { config, stdout } = load(dir, [`--config=${name}`])
    const ext = name.split('.')[1]
    assert.deepEqual(stdout, [`Error reading config file, Unsupported Config Type "${ext}" (hcl and tfvars config files are not supported)`])
    assert.equal(config.port, 9898)
  }
})

test('the base name is --config up to the first dot; extensions are searched in podinfo\'s order', (t) => {
  // config.yaml makes the stat succeed, but config.json comes first in the search
  const dir = tempDir(t, { 'config.yaml': 'port: 1111\n', 'config.json': '{"port": 2222}', 'config.toml': 'port = 3333\n' })
  assert.equal(load(dir).config.port, 2222)
  // --config=config.txt exists, so config.<ext> is searched for
  writeFileSync(join(dir, 'config.txt'), 'not read')
  assert.equal(load(dir, ['--config=config.txt']).config.port, 2222)
})

test('a directory named like a config file is skipped', (t) => {
  const dir = tempDir(t, { 'config.yaml': 'port: 1111\n' })
  mkdirSync(join(dir, 'config.json'))
  assert.equal(load(dir).config.port, 1111)
})

test('my.conf.yaml: base name "my" is not found, the message goes to stdout', (t) => {
  const dir = tempDir(t, { 'my.conf.yaml': 'port: 1111\n' })
  const { config, stdout } = load(dir, ['--config=my.conf.yaml'])
  assert.deepEqual(stdout, [`Error reading config file, Config File "my" Not Found in "[${dir}]"`])
  assert.equal(config.port, 9898)
})

test('no file: nothing loaded, nothing printed', (t) => {
  const dir = tempDir(t)
  const { config, stdout } = load(dir)
  assert.deepEqual(stdout, [])
  assert.equal(config.port, 9898)
  const other = load(join(dir, 'missing'))
  assert.deepEqual(other.stdout, [])
})

test('empty config-path with config.yaml in the working directory: "not found" quirk', (t) => {
  const dir = tempDir(t, { 'config.yaml': 'port: 1111\n' })
  const stdout: string[] = []
  const config = loadConfig({}, [], { ...OPTS, cwd: dir, stdout: (line) => stdout.push(line) })
  assert.deepEqual(stdout, ['Error reading config file, Config File "config" Not Found in "[]"'])
  assert.equal(config.port, 9898)
})

test('a relative --config-path is resolved against the working directory', (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'conf'))
  writeFileSync(join(dir, 'conf', 'config.yaml'), 'port: 1212\n')
  const config = loadConfig({}, ['--config-path=conf'], { ...OPTS, cwd: dir })
  assert.equal(config.port, 1212)
  assert.equal(config.configPath, 'conf')
})

test('a parse error goes to stdout and startup continues without file values', (t) => {
  const dir = tempDir(t, { 'config.yaml': 'port: [1\nui-message: x\n', 'broken.json': '{"port": ' })
  const yaml = load(dir)
  assert.equal(yaml.stdout.length, 1)
  assert.match(yaml.stdout[0] ?? '', /^Error reading config file, While parsing config: \S/)
  assert.equal(yaml.config.port, 9898)
  const json = load(dir, ['--config=broken.json'])
  assert.match(json.stdout[0] ?? '', /^Error reading config file, While parsing config: \S/)
  const list = tempDir(t, { 'config.yaml': '- a\n- b\n' })
  assert.match(load(list).stdout[0] ?? '', /^Error reading config file, While parsing config: /)
})

test('precedence: explicit flag > env > file > built-in defaults > flag default', (t) => {
  const dir = tempDir(t, { 'config.yaml': 'port: 1111\nui-color: "#000000"\nui-logo: file-logo\nh2c: true\n' })
  assert.equal(load(dir).config.port, 1111)
  assert.equal(load(dir, [], { PODINFO_PORT: '2222' }).config.port, 2222)
  assert.equal(load(dir, ['--port=3333'], { PODINFO_PORT: '2222' }).config.port, 3333)
  assert.equal(load(dir, [], { PODINFO_PORT: '' }).config.port, 1111) // empty env is unset
  assert.equal(load(dir).config.uiLogo, 'file-logo') // file beats the URL default
  assert.equal(load(dir, [], { PODINFO_UI_LOGO: 'env-logo' }).config.uiLogo, 'env-logo')
  assert.equal(load(dir, ['--h2c=false']).config.h2c, false)
  assert.equal(load(dir).config.uiColor, '#000000')
})

test('keys are flag names, case-insensitively; backendUrl is accepted; other keys are ignored', (t) => {
  const dir = tempDir(t, {
    'config.yaml': 'Port: 1111\nUI-MESSAGE: shout\nbackendUrl: [http://alias]\nhostname: evil\nversion: 0.0.1\nrevision: x\nunknown: 1\nport_metrics: 5\nnested:\n  port: 7\n'
  })
  const { config } = load(dir)
  assert.equal(config.port, 1111)
  assert.equal(config.uiMessage, 'shout')
  assert.deepEqual(config.backendUrl, ['http://alias'])
  assert.equal(config.hostname, 'test-host')
  assert.equal(config.version, '6.14.1')
  assert.equal(config.revision, 'abc123')
  assert.equal(config.portMetrics, 0)
  const both = tempDir(t, { 'config.yaml': 'backend-url: [http://real]\nbackendUrl: [http://alias]\n' })
  assert.deepEqual(load(both).config.backendUrl, ['http://real'])
})

test('file values use Go\'s weak conversions', (t) => {
  const dir = tempDir(t, {
    'config.yaml': [
      'port: "tcp://10.0.0.1:9898"', // port fallback to the flag value
      'secure-port: 8443',
      'grpc-port: "0x2710"',
      'ui-message: 42', // number → string
      'host: true', // bool → "1", as mapstructure does
      'unready: 1', // number → bool
      'random-delay-max: 7.9', // float → int (truncated)
      'http-client-timeout: 30', // a bare number is nanoseconds → rounds up to 1 ms
      'backend-url: ""',
      'stress-cpu: lots',
      'level: DEBUG',
      'prefix: foo/'
    ].join('\n') + '\n'
  })
  const { config } = load(dir)
  assert.equal(config.port, 9898)
  assert.equal(config.securePort, 8443)
  assert.equal(config.grpcPort, 10000)
  assert.equal(config.uiMessage, '42')
  assert.equal(config.host, '1')
  assert.equal(config.unready, true)
  assert.equal(config.randomDelayMax, 7)
  assert.equal(config.httpClientTimeout, 1)
  assert.deepEqual(config.backendUrl, [])
  assert.equal(config.stressCpu, 0)
  assert.equal(config.level, 'info')
  assert.equal(config.prefix, '/foo')
})

test('a file value that does not convert aborts with exit 2 naming the config file', (t) => {
  const dir = tempDir(t, { 'config.yaml': 'h2c: maybe\n' })
  let exit: ConfigExit | undefined
  try {
    load(dir)
  } catch (err) {
    if (err instanceof ConfigExit) exit = err
  }
  assert.ok(exit)
  assert.equal(exit.code, 2)
  const line = JSON.parse(exit.stderr) as Record<string, unknown>
  assert.equal(line.msg, 'config unmarshal failed')
  assert.equal(line.key, 'h2c')
  assert.equal(line.value, 'maybe')
  assert.equal(line.source, 'config file')

  const list = tempDir(t, { 'config.yaml': 'ui-color: [a, b]\n' })
  try {
    load(list)
    assert.fail('expected a ConfigExit')
  } catch (err) {
    assert.ok(err instanceof ConfigExit)
    const l = JSON.parse(err.stderr) as Record<string, unknown>
    assert.equal(l.key, 'ui-color')
    assert.equal(l.value, '["a","b"]')
  }
})

test('random-delay checks see file values', (t) => {
  const dir = tempDir(t, { 'config.yaml': 'random-delay-unit: m\n' })
  assert.throws(() => load(dir), (err: unknown) => err instanceof ConfigExit && err.code === 2 && err.stderr.includes('`random-delay-unit` accepted values are: s|ms'))
})

test('PODINFO_CONFIG and --config choose the file name; the file cannot move itself', (t) => {
  const dir = tempDir(t, { 'a.json': '{"port": 1111, "config": "b.json"}', 'b.json': '{"port": 2222}' })
  assert.equal(load(dir, [], { PODINFO_CONFIG: 'a.json' }).config.port, 1111)
  assert.equal(load(dir, ['--config=b.json'], { PODINFO_CONFIG: 'a.json' }).config.port, 2222)
})

test('revision: options.revision, else the REVISION file at the package root, else unknown', (t) => {
  const root = tempDir(t, { 'package.json': '{}', REVISION: '  0123abcd\n' })
  mkdirSync(join(root, 'dist', 'lib'), { recursive: true })
  assert.equal(readRevisionFile(root), '0123abcd')
  assert.equal(readRevisionFile(join(root, 'dist')), '0123abcd') // compiled code lives in dist/
  const bare = tempDir(t, { 'package.json': '{}' })
  mkdirSync(join(bare, 'dist'))
  assert.equal(readRevisionFile(join(bare, 'dist')), undefined)
  const empty = tempDir(t, { 'package.json': '{}', REVISION: '\n' })
  assert.equal(readRevisionFile(empty), undefined)
  // without options.revision, loadConfig reports the file's value or `unknown`
  assert.equal(loadConfig({}, [], { hostname: 'h' }).revision, readRevisionFile() ?? 'unknown')
  assert.equal(loadConfig({}, [], { hostname: 'h', revision: 'given' }).revision, 'given')
})
