import { setMaxListeners } from 'node:events'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClientError, createChannel, createClient, Metadata, Status } from 'nice-grpc'
import { DelayRequest, DelayResponse, DelayServiceDefinition } from '../../grpc/gen/delay/delay.js'
import { EchoServiceDefinition, Message } from '../../grpc/gen/echo/echo.js'
import { EnvServiceDefinition } from '../../grpc/gen/env/env.js'
import { HealthDefinition } from '../../grpc/gen/grpc/health/v1/health.js'
import { HeaderRequest, HeaderResponse, HeaderServiceDefinition } from '../../grpc/gen/headers/headers.js'
import { InfoServiceDefinition } from '../../grpc/gen/info/info.js'
import { PanicServiceDefinition } from '../../grpc/gen/panic.js'
import { StatusServiceDefinition } from '../../grpc/gen/status/status.js'
import { VersionServiceDefinition } from '../../grpc/gen/version.js'
import { goDurationMs } from '../../grpc/delay.js'
import { UNKNOWN_CODE_MESSAGE } from '../../grpc/status.js'
import { buildGrpcServer, grpcListenAddress } from '../../grpc/server.js'
import { loadConfig } from '../../lib/config.js'
import { ResourceCount, runtimeInfo } from '../../lib/info.js'
import { ServiceState } from '../../lib/state.js'
import { collectingLogger, grpcJsUnary, startGrpc, within } from './helper.js'

async function grpcError (promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ClientError) return err
    throw err
  }
  assert.fail('the call succeeded')
}

test('Version answers the version and the build revision', async (t) => {
  const { client } = await startGrpc(t)
  assert.deepEqual(await client(VersionServiceDefinition).version({}), { version: '6.14.1', commit: 'test-rev' })
})

test('Echo answers the body unchanged and logs it', async (t) => {
  const { client, logs } = await startGrpc(t)
  const body = 'héllo <podinfo> & "friends"\n'
  assert.deepEqual(await client(EchoServiceDefinition).echo({ body }), { body })
  assert.deepEqual(await client(EchoServiceDefinition).echo({}), { body: '' })
  const line = logs.find((l) => l.msg === 'Received message body from client:')
  assert.equal(line?.input, body)
  assert.equal(line?.level, 30)
})

test('Env lists NAME=value for every variable it was given', async (t) => {
  const { client } = await startGrpc(t, { processEnv: { HOME: '/root', PODINFO_UI_COLOR: '#fff', EQ: 'a=b', EMPTY: '', GONE: undefined } })
  const { envVars } = await client(EnvServiceDefinition).env({})
  assert.deepEqual(envVars, ['HOME=/root', 'PODINFO_UI_COLOR=#fff', 'EQ=a=b', 'EMPTY='])
})

test('Info answers the same values as GET /api/info', async (t) => {
  const { client, config } = await startGrpc(t, { env: { PODINFO_UI_COLOR: '#123456', PODINFO_UI_MESSAGE: 'hi' } })
  const info = await client(InfoServiceDefinition).info({})
  const expected = runtimeInfo(config, new ResourceCount().get())
  assert.match(info.numgoroutine, /^[1-9][0-9]*$/)
  assert.deepEqual({ ...info, numgoroutine: '' }, {
    hostname: 'grpc-test-host',
    version: '6.14.1',
    revision: 'test-rev',
    color: '#123456',
    logo: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif',
    message: 'hi',
    goos: expected.goos,
    goarch: expected.goarch,
    runtime: process.version,
    numgoroutine: '',
    numcpu: expected.num_cpu
  })
})

test('Status: Ok succeeds, every other name fails with its code and no message', async (t) => {
  const { client } = await startGrpc(t)
  const status = client(StatusServiceDefinition)
  assert.deepEqual(await status.status({ code: 'Ok' }), { status: 'Ok' })
  const names: Array<[string, Status]> = [
    ['Canceled', Status.CANCELLED],
    ['Unknown', Status.UNKNOWN],
    ['InvalidArgument', Status.INVALID_ARGUMENT],
    ['DeadlineExceeded', Status.DEADLINE_EXCEEDED],
    ['NotFound', Status.NOT_FOUND],
    ['AlreadyExists', Status.ALREADY_EXISTS],
    ['PermissionDenied', Status.PERMISSION_DENIED],
    ['ResourceExhausted', Status.RESOURCE_EXHAUSTED],
    ['FailedPrecondition', Status.FAILED_PRECONDITION],
    ['Aborted', Status.ABORTED],
    ['OutOfRange', Status.OUT_OF_RANGE],
    ['Unimplemented', Status.UNIMPLEMENTED],
    ['Internal', Status.INTERNAL],
    ['Unavailable', Status.UNAVAILABLE],
    ['DataLoss', Status.DATA_LOSS],
    ['Unauthenticated', Status.UNAUTHENTICATED]
  ]
  for (const [code, expected] of names) {
    const err = await grpcError(status.status({ code }))
    assert.equal(err.code, expected, code)
    assert.equal(err.details, '', code)
    assert.equal(err.path, '/status.StatusService/Status')
  }
})

test('Status: unlisted names fail with UNKNOWN and podinfo\'s message', async (t) => {
  const { client } = await startGrpc(t)
  for (const code of ['OK', 'ok', '', 'NOT_FOUND', '404', 'toString', '__proto__', 'Ok ']) {
    const err = await grpcError(client(StatusServiceDefinition).status({ code }))
    assert.equal(err.code, Status.UNKNOWN, code)
    assert.equal(err.details, UNKNOWN_CODE_MESSAGE, code)
  }
  assert.equal(UNKNOWN_CODE_MESSAGE, 'Unknown status code for more information check https://chromium.googlesource.com/external/github.com/grpc/grpc/+/refs/tags/v1.21.4-pre1/doc/statuscodes.md')
})

test('Header lists the request metadata as key=value strings', async (t) => {
  const { client, port } = await startGrpc(t)
  const metadata = new Metadata()
  metadata.set('x-custom', 'one')
  metadata.set('x-comma', 'a,b')
  metadata.set('x-data-bin', Buffer.from('binary ✓'))
  metadata.set('podinfo-internal-authority', 'spoofed')
  const { headers } = await client(HeaderServiceDefinition).header({}, { metadata })
  const byKey = new Map(headers.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)]))
  assert.equal(byKey.get(':authority'), `127.0.0.1:${port}`)
  assert.equal(byKey.get('content-type'), 'application/grpc')
  assert.match(byKey.get('user-agent') ?? '', /^grpc-node-js\//)
  assert.equal(byKey.get('x-custom'), 'one')
  assert.equal(byKey.get('x-comma'), 'a,b')
  assert.equal(byKey.get('x-data-bin'), 'binary ✓')
  for (const hidden of ['grpc-timeout', 'te', 'grpc-encoding', 'podinfo-internal-authority']) {
    assert.equal(byKey.has(hidden), false, hidden)
  }
  assert.equal(headers.length, byKey.size, 'one string per key')
  assert.equal(headers.filter((h) => h.startsWith(':authority=')).length, 1)
})

test('Header leaves out grpc-timeout, te and grpc-encoding', async (t) => {
  const { port } = await startGrpc(t)
  const codecs = { request: HeaderRequest, response: HeaderResponse }
  const { response, error } = await grpcJsUnary(port, '/header.HeaderService/Header', codecs, {}, {
    deadline: Date.now() + 60_000,
    metadata: { 'x-request-id': 'abc' }
  })
  assert.equal(error, undefined)
  const keys = (response?.headers ?? []).map((h) => h.slice(0, h.indexOf('='))).sort()
  assert.deepEqual(keys, [':authority', 'content-type', 'user-agent', 'x-request-id'])
})

test('Delay sleeps the given seconds and answers them; negative values do not sleep', async (t) => {
  const { client } = await startGrpc(t)
  const delay = client(DelayServiceDefinition)
  assert.deepEqual(await delay.delay({ seconds: 0n }), { message: 0n })
  assert.deepEqual(await delay.delay({ seconds: -5n }, { signal: AbortSignal.timeout(10_000) }), { message: -5n })
  const big = -9_223_372_036_854_775_808n
  assert.deepEqual(await delay.delay({ seconds: big }, { signal: AbortSignal.timeout(10_000) }), { message: big })
  const started = Date.now()
  assert.deepEqual(await delay.delay({ seconds: 1n }), { message: 1n })
  assert.ok(Date.now() - started >= 990, 'slept at least a second')
})

test('Delay: a client deadline shorter than the sleep ends the call with DEADLINE_EXCEEDED', async (t) => {
  const { port } = await startGrpc(t)
  const codecs = { request: DelayRequest, response: DelayResponse }
  const { error } = await grpcJsUnary(port, '/delay.DelayService/Delay', codecs, { seconds: 30n }, { deadline: Date.now() + 200 })
  assert.equal(error?.code, Status.DEADLINE_EXCEEDED)
})

test('Delay converts seconds as Go does, int64 overflow included', () => {
  assert.equal(goDurationMs(0n), 0)
  assert.equal(goDurationMs(-1n), 0)
  assert.equal(goDurationMs(3n), 3000)
  assert.equal(goDurationMs(9_223_372_036n), 9_223_372_036_000)
  assert.equal(goDurationMs(9_223_372_037n), 0) // wraps to a negative duration: no sleep
  assert.equal(goDurationMs(18_446_744_074n), 290) // wraps around to +290.448384 ms
})

test('Panic logs, exits with 225 and never answers', async (t) => {
  const { client, logs, exits, server } = await startGrpc(t)
  const call = grpcError(client(PanicServiceDefinition).panic({}))
  assert.equal(await within(5000, (async () => { while (exits.length === 0) await new Promise((resolve) => setTimeout(resolve, 10)) })()), undefined)
  assert.deepEqual(exits, [225])
  assert.ok(logs.some((l) => l.msg === 'Panic command received' && l.level === 30))
  assert.equal(await within(300, call), 'timeout', 'no reply was sent')
  server.forceShutdown()
  const err = await call
  assert.notEqual(err.code, Status.OK)
})

test('an unknown service or method is UNIMPLEMENTED', async (t) => {
  const { client } = await startGrpc(t)
  const message = { name: 'Echo', requestType: Message, requestStream: false, responseType: Message, responseStream: false, options: {} } as const
  const nope = { name: 'NopeService', fullName: 'nope.NopeService', methods: { echo: message } } as const
  const err = await grpcError(client(nope).echo({ body: 'x' }))
  assert.equal(err.code, Status.UNIMPLEMENTED)
  assert.equal(err.path, '/nope.NopeService/Echo')
  const wrongMethod = { name: 'EchoService', fullName: 'echo.EchoService', methods: { shout: { ...message, name: 'Shout' } } } as const
  assert.equal((await grpcError(client(wrongMethod).shout({ body: 'x' }))).code, Status.UNIMPLEMENTED)
})

test('grpcListenAddress binds every interface and an IPv4 client gets through', async (t) => {
  const config = loadConfig({}, ['--grpc-port=0', '--host=127.0.0.2'])
  assert.equal(grpcListenAddress(config), '[::]:0')
  assert.equal(grpcListenAddress(loadConfig({}, ['--grpc-port=9999'])), '[::]:9999')
  const server = buildGrpcServer({ config, state: new ServiceState(), log: collectingLogger([]), env: {} })
  t.after(() => { server.forceShutdown() })
  const port = await server.listen(grpcListenAddress(config))
  const channel = createChannel(`127.0.0.1:${port}`)
  t.after(() => { channel.close() })
  assert.equal((await createClient(VersionServiceDefinition, channel).version({})).version, '6.14.1')
})

test('listen rejects when the port is taken (the server logs "failed to listen" and exits 1)', async (t) => {
  const { port } = await startGrpc(t)
  const config = loadConfig({}, [`--grpc-port=${port}`])
  const second = buildGrpcServer({ config, state: new ServiceState(), log: collectingLogger([]), env: {} })
  t.after(() => { second.forceShutdown() })
  await assert.rejects(second.listen(`127.0.0.1:${port}`))
})

test('many concurrent Delay and Watch calls raise no listener-leak warning', async (t) => {
  const { client } = await startGrpc(t)
  const warnings: Error[] = []
  const onWarning = (warning: Error): void => { warnings.push(warning) }
  process.on('warning', onWarning)
  t.after(() => { process.off('warning', onWarning) })
  const abort = new AbortController()
  setMaxListeners(0, abort.signal) // the client side shares one signal between the 15 streams
  t.after(() => { abort.abort() })
  const watches = Array.from({ length: 15 }, () => client(HealthDefinition).watch({ service: '' }, { signal: abort.signal })[Symbol.asyncIterator]())
  await Promise.all(watches.map(async (watch) => await watch.next()))
  const delays = await Promise.all(Array.from({ length: 15 }, async () => await client(DelayServiceDefinition).delay({ seconds: 1n })))
  assert.equal(delays.length, 15)
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(warnings.map((w) => w.message), [])
})
