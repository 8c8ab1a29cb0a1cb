import { test, type TestContext } from 'node:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { ClientError, createChannel, createClient, Status } from 'nice-grpc'
import { DelayServiceDefinition } from '../../grpc/gen/delay/delay.js'
import { HealthCheckResponse_ServingStatus as Serving, HealthDefinition } from '../../grpc/gen/grpc/health/v1/health.js'
import { ServerReflectionDefinition } from '../../grpc/gen/grpc/reflection/v1/reflection.js'
import { PanicServiceDefinition } from '../../grpc/gen/panic.js'
import { VersionServiceDefinition } from '../../grpc/gen/version.js'
import { GRPC_SERVICE_NAMES } from '../../grpc/server.js'
import { freePort, startPodinfo, type Podinfo, type StartOptions } from '../process.js'
import { within } from './helper.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function connect (t: { after: (fn: () => void) => void }, port: number): ReturnType<typeof createChannel> {
  const channel = createChannel(`127.0.0.1:${port}`)
  t.after(() => { channel.close() })
  return channel
}

/** Starts podinfo (debug level: no 3 s shutdown pause) for `body`, then stops it with SIGTERM. */
async function withPodinfo (t: TestContext, options: StartOptions, body: (podinfo: Podinfo) => Promise<void>): Promise<void> {
  const podinfo = await startPodinfo(t, { ...options, args: ['--level=debug', ...(options.args ?? [])] })
  try {
    await body(podinfo)
  } finally {
    if (podinfo.child.exitCode === null && podinfo.child.signalCode === null) await podinfo.stop()
  }
}

async function post (podinfo: Podinfo, path: string): Promise<number> {
  return (await fetch(podinfo.url + path, { method: 'POST' })).status
}

test('the real server: gRPC Panic ends the process with exit code 225', async (t) => {
  const podinfo = await startPodinfo(t, { grpc: true })
  const panic = createClient(PanicServiceDefinition, connect(t, podinfo.grpcPort))
  const call = panic.panic({}).then(() => 'answered', (err: unknown) => err)
  assert.equal(await within(15_000, podinfo.exited), 225)
  const outcome = await call
  assert.ok(outcome instanceof ClientError, 'no reply')
  assert.ok(podinfo.logLines().some((l) => l.msg === 'Panic command received'))
})

test('the real server: gRPC health follows /readyz/disable and /readyz/enable', async (t) => {
  await withPodinfo(t, { grpc: true, args: ['--grpc-service-name=flagger'] }, async (podinfo) => {
    const health = createClient(HealthDefinition, connect(t, podinfo.grpcPort))
    assert.deepEqual(await health.check({ service: '' }), { status: Serving.SERVING })
    assert.deepEqual(await health.check({ service: 'flagger' }), { status: Serving.SERVING })
    assert.equal(await post(podinfo, '/readyz/disable'), 202)
    assert.deepEqual(await health.check({ service: 'flagger' }), { status: Serving.NOT_SERVING })
    assert.equal(await post(podinfo, '/readyz/enable'), 202)
    assert.deepEqual(await health.check({ service: '' }), { status: Serving.SERVING })
  })
})

test('the real server: --unready starts NOT_SERVING', async (t) => {
  await withPodinfo(t, { grpc: true, args: ['--unready'], waitFor: '/healthz' }, async (podinfo) => {
    const health = createClient(HealthDefinition, connect(t, podinfo.grpcPort))
    assert.deepEqual(await health.check({ service: 'podinfo' }), { status: Serving.NOT_SERVING })
  })
})

test('the real server: PODINFO_GRPC_PORT=tcp://… (a Kubernetes service link) falls back to the flag', async (t) => {
  const flagPort = await freePort()
  const env = { PODINFO_GRPC_PORT: 'tcp://10.96.0.12:9999' }
  await withPodinfo(t, { args: [`--grpc-port=${flagPort}`], env }, async () => {
    const version = createClient(VersionServiceDefinition, connect(t, flagPort))
    assert.equal((await version.version({})).version, '6.14.1')
  })
  // without the flag, the fallback is the flag's default: gRPC off, and the process still starts
  await withPodinfo(t, { env }, async (off) => {
    assert.equal((await fetch(off.url + '/readyz')).status, 200)
    assert.equal(off.logLines().some((l) => l.msg === 'failed to listen'), false)
  })
})

test('the real server: SIGTERM flips Watch to NOT_SERVING and open streams do not hold the exit', async (t) => {
  const podinfo = await startPodinfo(t, { grpc: true, args: ['--level=debug', '--server-shutdown-timeout=3s'] })
  const channel = connect(t, podinfo.grpcPort)
  const watch = createClient(HealthDefinition, channel).watch({ service: '' })[Symbol.asyncIterator]()
  assert.deepEqual((await watch.next()).value, { status: Serving.SERVING })
  const started = Date.now()
  podinfo.child.kill('SIGTERM')
  assert.deepEqual((await watch.next()).value, { status: Serving.NOT_SERVING })
  assert.equal(await within(15_000, podinfo.exited), 0)
  assert.ok(Date.now() - started < 10_000, 'exited before the safety net')
  const logs = podinfo.logLines()
  assert.ok(logs.some((l) => l.msg === 'Shutting down GRPC server'))
})

test('the real server: a Delay call longer than the shutdown timeout is cut at the deadline', async (t) => {
  const podinfo = await startPodinfo(t, { grpc: true, args: ['--level=debug', '--server-shutdown-timeout=1s'] })
  const delay = createClient(DelayServiceDefinition, connect(t, podinfo.grpcPort))
  const call = delay.delay({ seconds: 600n }).then(() => 'answered', (err: unknown) => err)
  await new Promise((resolve) => setTimeout(resolve, 300))
  podinfo.child.kill('SIGTERM')
  assert.equal(await within(15_000, podinfo.exited), 0)
  const outcome = await call
  assert.ok(outcome instanceof ClientError)
  assert.ok([Status.CANCELLED, Status.UNAVAILABLE].includes(outcome.code), Status[outcome.code])
})

test('the compiled server (dist/) finds its descriptor set: reflection and health work', async (t) => {
  assert.ok(existsSync(join(ROOT, 'dist', 'grpc', 'server.js')), 'dist/ is built (npm test builds it first)')
  await withPodinfo(t, { grpc: true, dist: true }, async (podinfo) => {
    const channel = connect(t, podinfo.grpcPort)
    const reflection = createClient(ServerReflectionDefinition, channel)
    const responses = reflection.serverReflectionInfo((async function * () { yield { listServices: '' } })())[Symbol.asyncIterator]()
    const first = await responses.next()
    await responses.return?.()
    assert.deepEqual(first.value?.listServicesResponse?.service.map((s: { name: string }) => s.name), GRPC_SERVICE_NAMES)
    assert.deepEqual(await createClient(HealthDefinition, channel).check({ service: 'podinfo' }), { status: Serving.SERVING })
  })
})
