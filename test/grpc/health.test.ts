import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClientError, Status } from 'nice-grpc'
import { DelayServiceDefinition } from '../../grpc/gen/delay/delay.js'
import { HealthCheckResponse_ServingStatus as Serving, HealthDefinition } from '../../grpc/gen/grpc/health/v1/health.js'
import { ServiceState } from '../../lib/state.js'
import { startGrpc, within } from './helper.js'

async function grpcError (promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ClientError) return err
    throw err
  }
  assert.fail('the call succeeded')
}

test('Check: "" and the default service name are SERVING, others NOT_FOUND', async (t) => {
  const { client } = await startGrpc(t)
  const health = client(HealthDefinition)
  assert.deepEqual(await health.check({ service: '' }), { status: Serving.SERVING })
  assert.deepEqual(await health.check({ service: 'podinfo' }), { status: Serving.SERVING })
  for (const service of ['nope', 'Podinfo', 'echo.EchoService']) {
    const err = await grpcError(health.check({ service }))
    assert.equal(err.code, Status.NOT_FOUND)
    assert.equal(err.details, 'unknown service')
  }
})

test('Check and List use --grpc-service-name', async (t) => {
  const { client } = await startGrpc(t, { argv: ['--grpc-service-name=backend'] })
  const health = client(HealthDefinition)
  assert.deepEqual(await health.check({ service: 'backend' }), { status: Serving.SERVING })
  assert.equal((await grpcError(health.check({ service: 'podinfo' }))).code, Status.NOT_FOUND)
  assert.deepEqual(await health.list({}), { statuses: { '': { status: Serving.SERVING }, backend: { status: Serving.SERVING } } })
})

test('PODINFO_GRPC_SERVICE_NAME sets the service name too', async (t) => {
  const { client } = await startGrpc(t, { env: { PODINFO_GRPC_SERVICE_NAME: 'from-env' } })
  assert.deepEqual(await client(HealthDefinition).check({ service: 'from-env' }), { status: Serving.SERVING })
})

test('List answers both entries', async (t) => {
  const { client } = await startGrpc(t)
  assert.deepEqual(await client(HealthDefinition).list({}), {
    statuses: { '': { status: Serving.SERVING }, podinfo: { status: Serving.SERVING } }
  })
})

test('not ready (--unready) means NOT_SERVING, and Check follows readiness flips', async (t) => {
  const state = new ServiceState() // as with --unready: never set ready
  const { client } = await startGrpc(t, { state, argv: ['--unready'] })
  const health = client(HealthDefinition)
  assert.deepEqual(await health.check({ service: '' }), { status: Serving.NOT_SERVING })
  assert.deepEqual(await health.check({ service: 'podinfo' }), { status: Serving.NOT_SERVING })
  state.setReady(true) // POST /readyz/enable
  assert.deepEqual(await health.check({ service: '' }), { status: Serving.SERVING })
  assert.deepEqual(await health.list({}), { statuses: { '': { status: Serving.SERVING }, podinfo: { status: Serving.SERVING } } })
  state.setReady(false) // POST /readyz/disable, or a shutdown starting
  assert.deepEqual(await health.check({ service: 'podinfo' }), { status: Serving.NOT_SERVING })
  assert.deepEqual(await health.list({}), { statuses: { '': { status: Serving.NOT_SERVING }, podinfo: { status: Serving.NOT_SERVING } } })
})

test('Watch streams the status, then every readiness change', async (t) => {
  const { client, state } = await startGrpc(t)
  const abort = new AbortController()
  t.after(() => { abort.abort() })
  const stream = client(HealthDefinition).watch({ service: 'podinfo' }, { signal: abort.signal })[Symbol.asyncIterator]()
  assert.deepEqual((await stream.next()).value, { status: Serving.SERVING })
  state.setReady(false)
  assert.deepEqual((await stream.next()).value, { status: Serving.NOT_SERVING })
  state.setReady(true)
  assert.deepEqual((await stream.next()).value, { status: Serving.SERVING })
  abort.abort()
  await assert.rejects(stream.next(), (err: Error) => err.name === 'AbortError')
})

test('Watch of an unknown service answers SERVICE_UNKNOWN and keeps the stream open', async (t) => {
  const { client } = await startGrpc(t)
  const abort = new AbortController()
  t.after(() => { abort.abort() })
  const stream = client(HealthDefinition).watch({ service: 'nope' }, { signal: abort.signal })[Symbol.asyncIterator]()
  assert.deepEqual((await stream.next()).value, { status: Serving.SERVICE_UNKNOWN })
  assert.equal(await within(200, stream.next()), 'timeout')
})

test('a graceful shutdown ends open Watch streams instead of waiting for them', async (t) => {
  const { client, state, server } = await startGrpc(t)
  const health = client(HealthDefinition)
  const watches = ['', 'podinfo', 'unknown'].map((service) => health.watch({ service })[Symbol.asyncIterator]())
  for (const watch of watches) await watch.next()
  state.setReady(false) // spec §14 step 2: probes flip first
  assert.deepEqual((await watches[0]?.next())?.value, { status: Serving.NOT_SERVING })
  assert.equal(await within(5000, server.shutdown()), undefined, 'shutdown finished')
  for (const watch of watches) {
    const next = await within(5000, watch.next())
    assert.notEqual(next, 'timeout')
    if (next !== 'timeout' && next.done !== true) assert.deepEqual((await watch.next()).done, true)
  }
})

test('forceShutdown cuts calls that a graceful shutdown would wait for', async (t) => {
  const { client, server } = await startGrpc(t)
  const delay = client(DelayServiceDefinition).delay({ seconds: 3600n })
  const failed = grpcError(delay)
  await new Promise((resolve) => setTimeout(resolve, 100)) // let the call reach the server
  const graceful = server.shutdown()
  assert.equal(await within(300, graceful), 'timeout', 'the graceful stop waits for Delay')
  server.forceShutdown()
  const err = await within(5000, failed)
  assert.notEqual(err, 'timeout')
  if (err !== 'timeout') assert.equal(err.code, Status.CANCELLED)
  assert.equal(await within(5000, graceful), undefined, 'the graceful stop settles once forced')
})

test('after shutdown the port refuses new calls', async (t) => {
  const { client, server } = await startGrpc(t)
  await server.shutdown()
  const err = await grpcError(client(HealthDefinition).check({ service: '' }))
  assert.equal(err.code, Status.UNAVAILABLE)
})
