// The command lines our manifests run (compose, the chart's Deployment, kustomize) start the real
// server: every flag is accepted, the listeners come up, and compose's cache wiring works.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { parse } from 'yaml'
import { freePort, startPodinfo } from '../process.js'
import { helmTemplate, one, parseDocs, repoRoot, runTool, getTools } from '../helm/k8s.js'

/**
 * A manifest's command with its ports moved to free loopback ports and Redis pointed at the
 * local server; startPodinfo adds --port and --host itself.
 */
async function localArgs (command: string[], redis = '127.0.0.1:6379'): Promise<{ args: string[], grpcPort: number, metricsPort: number }> {
  assert.equal(command[0], './podinfo')
  const grpcPort = await freePort()
  const metricsPort = await freePort()
  const args = command.slice(1).flatMap((arg) => {
    if (arg.startsWith('--port=')) return []
    if (arg.startsWith('--port-metrics=')) return [`--port-metrics=${metricsPort}`]
    if (arg.startsWith('--grpc-port=')) return [`--grpc-port=${grpcPort}`]
    if (arg.startsWith('--cache-server=')) return [`--cache-server=tcp://${redis}`]
    return [arg]
  })
  return { args, grpcPort, metricsPort }
}

async function redisUp (): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 })
    socket.once('connect', () => { socket.end(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

async function tcpOpen (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.end(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

async function assertServes (t: TestContext, command: string[]): Promise<string> {
  const { args, grpcPort, metricsPort } = await localArgs(command)
  const app = await startPodinfo(t, { args })
  assert.equal((await fetch(`${app.url}/readyz`)).status, 200)
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status, 200)
  assert.ok(await tcpOpen(grpcPort), 'gRPC listener is up')
  await app.stop()
  return app.url
}

test('docker-compose.yml: podinfo\'s command starts the server, and /cache works through Redis', async (t) => {
  const compose = parse(await readFile(join(repoRoot, 'docker-compose.yml'), 'utf8'))
  const { args, metricsPort } = await localArgs(compose.services.podinfo.command)
  assert.ok(compose.services.podinfo.command.includes('--cache-server=tcp://redis:6379'))
  const app = await startPodinfo(t, { args })
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status, 200)
  if (!(await redisUp())) assert.fail('no Redis on 127.0.0.1:6379 (redis-server --daemonize yes)')
  const key = `compose-${process.pid}`
  assert.equal((await fetch(`${app.url}/cache/${key}`, { method: 'POST', body: 'hello' })).status, 202)
  const got = await fetch(`${app.url}/cache/${key}`)
  assert.equal(got.status, 200)
  assert.equal(await got.text(), 'hello')
  assert.equal((await fetch(`${app.url}/cache/${key}`, { method: 'DELETE' })).status, 202)
})

test('the chart\'s Deployment command starts the server (defaults and podinfo\'s values file)', async (t) => {
  const tools = await getTools()
  const defaults = one(await helmTemplate(tools.helm4), 'Deployment', 'podinfo')
  await assertServes(t, defaults.spec.template.spec.containers[0].command)
  const redis = one(await helmTemplate(tools.helm4, ['--set', 'redis.enabled=true', '--set', 'faults.delay=false',
    '--set', 'h2c.enabled=true', '--set', 'logLevel=debug']), 'Deployment', 'podinfo')
  await assertServes(t, redis.spec.template.spec.containers[0].command)
})

test('kustomize\'s Deployment command starts the server', async (t) => {
  const tools = await getTools()
  const res = await runTool(tools.kubectl, ['kustomize', join(repoRoot, 'kustomize')])
  assert.equal(res.code, 0, res.stderr)
  const dep = one(parseDocs(res.stdout), 'Deployment')
  await assertServes(t, dep.spec.template.spec.containers[0].command)
})
