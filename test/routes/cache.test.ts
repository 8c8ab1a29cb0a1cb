import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'
import { parseCacheServer } from '../../plugins/cache.js'
import { build } from '../helper.js'
import { freeServicePort } from '../process.js'

const envelope = (code: number, message: string): string => `{\n  "code": ${code},\n  "message": "${message}"\n}`
const RAW_HEADERS = { 'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'" }

interface RedisProcess { port: number, stop: () => Promise<void>, start: () => Promise<void>, signal: (signal: NodeJS.Signals) => void }

/** A real redis-server of our own on a spare loopback port, no persistence. */
async function startRedis (t: TestContext, extra: string[] = []): Promise<RedisProcess> {
  const port = await freeServicePort()
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
    child = proc
    let out = ''
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('Ready to accept connections')) resolve()
      })
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)))
    })
    proc.stdout?.resume()
  }
  const stop = async (): Promise<void> => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null) return
    const exited = once(proc, 'exit')
    proc.kill('SIGKILL')
    await exited
  }
  await start()
  t.after(stop)
  return { port, stop, start, signal: (signal) => { child?.kill(signal) } }
}

async function redisClient (t: TestContext, port: number, options: { password?: string, username?: string, db?: number } = {}): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, ...options })
  await client.connect()
  t.after(() => client.disconnect())
  return client
}

/** Polls until `check` holds; fails the test after `ms`. */
async function eventually (check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('condition not met in time')
    await sleep(50)
  }
}

async function online (server: FastifyInstance): Promise<void> {
  await eventually(async () => server.cache?.online === true)
}

function assertEmpty (res: { statusCode: number, body: string, headers: Record<string, unknown> }, status: number): void {
  assert.equal(res.statusCode, status)
  assert.equal(res.body, '')
  assert.equal(res.headers['content-type'], undefined)
}

test('parseCacheServer: podinfo\'s tcp:// and redis:// forms, auth and db; a missing scheme is refused', () => {
  assert.deepEqual(parseCacheServer('tcp://redis:6379'), { host: 'redis', port: 6379, db: 0, address: 'redis:6379' })
  assert.deepEqual(parseCacheServer('redis://alice:p%40ss@10.0.0.1:6380/2'), { host: '10.0.0.1', port: 6380, db: 2, username: 'alice', password: 'p@ss', address: '10.0.0.1:6380' })
  assert.deepEqual(parseCacheServer('tcp://:secret@cache'), { host: 'cache', port: 6379, db: 0, password: 'secret', address: 'cache:6379' })
  assert.deepEqual(parseCacheServer('tcp://[::1]:7000'), { host: '::1', port: 7000, db: 0, address: '[::1]:7000' })
  assert.ok('error' in parseCacheServer('redis:6379'))
  assert.ok('error' in parseCacheServer('127.0.0.1:6379'))
  assert.ok('error' in parseCacheServer('redis://host:6379/db'))
  assert.ok('error' in parseCacheServer('tcp://'))
})

test('without --cache-server every cache route is the 400 "cache server is offline" envelope, body unread', async (t) => {
  const server = await build(t)
  const cases = [
    { method: 'POST', payload: 'x' }, { method: 'PUT', payload: 'x' }, { method: 'DELETE' }, { method: 'GET' },
    { method: 'POST', payload: Buffer.alloc(11 * 1024 * 1024) } // over the body limit: never read, so no 413
  ] as const
  for (const c of cases) {
    const res = await server.inject({ url: '/cache/key', ...c })
    assert.equal(res.statusCode, 200, c.method)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(res.body, envelope(400, 'cache server is offline'), c.method)
  }
})

test('with Redis up: write (no TTL), read raw bytes, delete, 404 for missing keys; keys are verbatim', async (t) => {
  const redis = await startRedis(t)
  const server = await build(t, { PODINFO_CACHE_SERVER: `tcp://127.0.0.1:${redis.port}` })
  await online(server)
  const direct = await redisClient(t, redis.port)
  const value = Buffer.from([0x00, 0xff, 0x68, 0x69, 0x0a])
  const key = 'user:42 ü'
  const url = '/cache/' + encodeURIComponent(key)

  for (const method of ['POST', 'PUT'] as const) {
    assertEmpty(await server.inject({ method, url, payload: value, headers: { 'content-type': 'application/json' } }), 202)
  }
  assert.deepEqual(await direct.getBuffer(key), value)
  assert.equal(await direct.ttl(key), -1)

  const read = await server.inject(url)
  assert.equal(read.statusCode, 200)
  for (const [name, v] of Object.entries(RAW_HEADERS)) assert.equal(read.headers[name], v, name)
  assert.deepEqual(read.rawPayload, value)

  assertEmpty(await server.inject({ method: 'DELETE', url }), 202)
  assert.equal(await direct.exists(key), 0)
  assertEmpty(await server.inject(url), 404)
  assertEmpty(await server.inject({ method: 'DELETE', url }), 202) // deleting a missing key is fine

  assert.equal((await server.inject('/cache/a%2Fb')).statusCode, 404) // `/` is never part of a key
})

test('heartbeat: SET <hostname> <version> EX 60 once connected', async (t) => {
  const redis = await startRedis(t)
  const server = await build(t, { PODINFO_CACHE_SERVER: `tcp://127.0.0.1:${redis.port}` })
  const direct = await redisClient(t, redis.port)
  await eventually(async () => (await direct.exists(server.config.hostname)) === 1)
  assert.equal(await direct.get(server.config.hostname), '6.14.1')
  const ttl = await direct.ttl(server.config.hostname)
  assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`)
  const res = await server.inject('/cache/' + encodeURIComponent(server.config.hostname))
  assert.equal(res.body, '6.14.1')
})

test('auth: tcp://:pass@ (requirepass) and redis://user:pass@host:port/db (ACL user, db index)', async (t) => {
  const redis = await startRedis(t, ['--requirepass', 'defaultpw', '--user', 'alice', 'on', '>alicepw', '~*', '+@all'])
  const byPassword = await build(t, { PODINFO_CACHE_SERVER: `tcp://:defaultpw@127.0.0.1:${redis.port}` })
  await online(byPassword)
  assertEmpty(await byPassword.inject({ method: 'POST', url: '/cache/pw', payload: 'one' }), 202)

  const byUser = await build(t, { PODINFO_CACHE_SERVER: `redis://alice:alicepw@127.0.0.1:${redis.port}/3` })
  await online(byUser)
  assertEmpty(await byUser.inject({ method: 'POST', url: '/cache/acl', payload: 'two' }), 202)
  const db3 = await redisClient(t, redis.port, { username: 'alice', password: 'alicepw', db: 3 })
  assert.equal(await db3.get('acl'), 'two')
  assert.equal(await db3.exists('pw'), 0)

  const wrong = await build(t, { PODINFO_CACHE_SERVER: `redis://alice:wrong@127.0.0.1:${redis.port}` })
  const res = await wrong.inject({ method: 'POST', url: '/cache/nope', payload: 'x' })
  assert.equal(res.body, envelope(500, 'cache set failed'))
})

test('Redis stopped mid-test: podinfo\'s failures, never a false success; back by itself when Redis returns', async (t) => {
  const redis = await startRedis(t)
  const server = await build(t, { PODINFO_CACHE_SERVER: `tcp://127.0.0.1:${redis.port}` })
  await online(server)
  assertEmpty(await server.inject({ method: 'POST', url: '/cache/before', payload: 'up' }), 202)

  await redis.stop()
  await eventually(async () => server.cache?.online === false)
  const write = await server.inject({ method: 'POST', url: '/cache/during', payload: 'down' })
  assert.equal(write.statusCode, 200)
  assert.equal(write.body, envelope(500, 'cache set failed'))
  assertEmpty(await server.inject({ method: 'DELETE', url: '/cache/before' }), 400)
  assertEmpty(await server.inject('/cache/before'), 404)
  // the server itself keeps serving
  assert.equal((await server.inject('/version')).statusCode, 200)

  await redis.start()
  await eventually(async () => (await server.inject({ method: 'POST', url: '/cache/after', payload: 'back' })).statusCode === 202)
  const read = await server.inject('/cache/after')
  assert.equal(read.statusCode, 200)
  assert.equal(read.body, 'back')
  const direct = await redisClient(t, redis.port)
  assert.equal(await direct.exists('during'), 0) // the failed write did not land later
})

test('the server boots while Redis is down and starts using it once it appears', async (t) => {
  const port = await freeServicePort()
  const server = await build(t, { PODINFO_CACHE_SERVER: `tcp://127.0.0.1:${port}` })
  assert.equal((await server.inject({ method: 'PUT', url: '/cache/k', payload: 'v' })).body, envelope(500, 'cache set failed'))
  assertEmpty(await server.inject('/cache/k'), 404)
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  t.after(async () => {
    if (redis.exitCode !== null) return
    const exited = once(redis, 'exit')
    redis.kill('SIGKILL')
    await exited
  })
  await eventually(async () => (await server.inject({ method: 'PUT', url: '/cache/k', payload: 'v' })).statusCode === 202)
  assert.equal((await server.inject('/cache/k')).body, 'v')
})

test('a black-holed Redis (accepts, never answers) fails the request in bounded time', async (t) => {
  const sockets = new Set<Socket>()
  const hole = createServer((socket) => { sockets.add(socket) })
  hole.listen(0, '127.0.0.1')
  await once(hole, 'listening')
  t.after(() => { for (const s of sockets) s.destroy(); hole.close() })
  const { port } = hole.address() as { port: number }
  const server = await build(t, { PODINFO_CACHE_SERVER: `tcp://127.0.0.1:${port}` })
  assert.equal((await server.inject({ method: 'POST', url: '/cache/k', payload: 'v' })).body, envelope(500, 'cache set failed'))
  assertEmpty(await server.inject({ method: 'DELETE', url: '/cache/k' }), 400)
  assertEmpty(await server.inject('/cache/k'), 404)
})

test('a --cache-server without a scheme is refused at startup and the routes answer as if Redis were down', async (t) => {
  const server = await build(t, { PODINFO_CACHE_SERVER: '127.0.0.1:6379' })
  assert.equal((await server.inject({ method: 'POST', url: '/cache/k', payload: 'v' })).body, envelope(500, 'cache set failed'))
  assertEmpty(await server.inject({ method: 'DELETE', url: '/cache/k' }), 400)
  assertEmpty(await server.inject('/cache/k'), 404)
})

test('logs: offline once while reconnecting (no credentials), online when Redis appears', async (t) => {
  const port = await freeServicePort()
  const lines: Array<{ msg: string, server?: string }> = []
  const config = loadConfig({ PODINFO_CACHE_SERVER: `redis://user:supersecretpw@127.0.0.1:${port}` })
  const mux = new MuxRules()
  const stream = new Writable({
    write (chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    }
  })
  const server = Fastify({ ...fastifyOptions(config, mux), logger: { level: 'info', stream } })
  await server.register(fp(app), { config, mux, env: {} })
  await server.ready()
  t.after(() => server.close())
  await sleep(1500) // several reconnect attempts
  assert.equal(lines.filter((l) => l.msg === 'cache server is offline').length, 1)
  assert.equal(lines.find((l) => l.msg === 'cache server is offline')?.server, `127.0.0.1:${port}`)
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--user', 'user', 'on', '>supersecretpw', '~*', '+@all'], { stdio: 'ignore' })
  t.after(async () => {
    if (redis.exitCode !== null) return
    const exited = once(redis, 'exit')
    redis.kill('SIGKILL')
    await exited
  })
  await eventually(async () => lines.some((l) => l.msg === 'cache server is online'))
  assert.doesNotMatch(JSON.stringify(lines), /supersecretpw/)
})

test('an empty key is no route: /cache/ is podinfo\'s 404 text', async (t) => {
  const server = await build(t, { PODINFO_CACHE_SERVER: 'tcp://127.0.0.1:1' })
  for (const method of ['GET', 'POST', 'DELETE'] as const) {
    const res = await server.inject({ method, url: '/cache/' })
    assert.equal(res.statusCode, 404, method)
    assert.equal(res.body, '404 page not found\n')
  }
})

test('metrics labels: cache_key for writes and deletes, cache for reads (spec §6.0)', async (t) => {
  const server = await build(t)
  await server.inject({ method: 'POST', url: '/cache/k', payload: 'v' })
  await server.inject({ method: 'DELETE', url: '/cache/k' })
  await server.inject('/cache/k')
  const metrics = (await server.inject('/metrics')).body
  assert.match(metrics, /^http_request_duration_seconds_count\{method="POST",path="cache_key",status="200"\} 1$/m)
  assert.match(metrics, /^http_request_duration_seconds_count\{method="DELETE",path="cache_key",status="200"\} 1$/m)
  assert.match(metrics, /^http_request_duration_seconds_count\{method="GET",path="cache",status="200"\} 1$/m)
})

test('a Redis that stops answering (SIGSTOP) fails requests after the command timeout; it recovers on SIGCONT', { timeout: 30_000 }, async (t) => {
  const redis = await startRedis(t)
  const server = await build(t, { PODINFO_CACHE_SERVER: `tcp://127.0.0.1:${redis.port}` })
  await online(server)
  redis.signal('SIGSTOP')
  t.after(() => redis.signal('SIGCONT'))
  const write = await server.inject({ method: 'POST', url: '/cache/frozen', payload: 'v' })
  assert.equal(write.body, envelope(500, 'cache set failed'))
  assertEmpty(await server.inject('/cache/frozen'), 404)
  redis.signal('SIGCONT')
  await eventually(async () => (await server.inject({ method: 'PUT', url: '/cache/thawed', payload: 'ok' })).statusCode === 202)
  assert.equal((await server.inject('/cache/thawed')).body, 'ok')
})
