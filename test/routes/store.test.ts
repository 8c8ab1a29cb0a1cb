import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'
import { build } from '../helper.js'

const HELLO = '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed' // SHA-1 of "hello world"
const EMPTY = 'da39a3ee5e6b4b0d3255bfef95601890afd80709'

function dataDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-store-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const envelope = (code: number, message: string): string => `{\n  "code": ${code},\n  "message": "${message}"\n}`

test('POST and PUT /store write the body under its SHA-1 and answer 202 {"hash"}', async (t) => {
  const dir = dataDir(t)
  const server = await build(t, {}, { argv: ['--data-path', dir] })
  for (const method of ['POST', 'PUT'] as const) {
    const res = await server.inject({ method, url: '/store', payload: 'hello world', headers: { 'content-type': 'application/json' } })
    assert.equal(res.statusCode, 202)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
    assert.equal(res.body, `{\n  "hash": "${HELLO}"\n}`)
  }
  assert.equal(readFileSync(join(dir, HELLO), 'utf8'), 'hello world')
  assert.equal(statSync(join(dir, HELLO)).mode & 0o777, 0o644)
  const empty = await server.inject({ method: 'POST', url: '/store' })
  assert.equal(empty.body, `{\n  "hash": "${EMPTY}"\n}`)
  // nothing but the content files: no temporary files left behind
  assert.deepEqual(readdirSync(dir).sort(), [HELLO, EMPTY].sort())
})

test('GET /store/{hash} returns the bytes with 202 and podinfo\'s raw headers', async (t) => {
  const dir = dataDir(t)
  const server = await build(t, {}, { argv: ['--data-path', dir] })
  const bytes = Buffer.from([0x00, 0xff, 0x3c, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e, 0x0a])
  const { hash } = (await server.inject({ method: 'POST', url: '/store', payload: bytes })).json() as { hash: string }
  const res = await server.inject(`/store/${hash}`)
  assert.equal(res.statusCode, 202)
  assert.equal(res.headers['content-type'], 'application/octet-stream')
  assert.equal(res.headers['x-content-type-options'], 'nosniff')
  assert.equal(res.headers['content-security-policy'], "default-src 'none'")
  assert.deepEqual(res.rawPayload, bytes)
})

test('GET /store/{hash} validates the hash before touching the filesystem', async (t) => {
  const dir = dataDir(t)
  writeFileSync(join(dir, 'secret.txt'), 'not yours')
  mkdirSync(join(dir, 'sub'))
  const server = await build(t, {}, { argv: ['--data-path', join(dir, 'sub')] })
  for (const hash of [HELLO.toUpperCase(), 'abc', HELLO + '0', '...', '..%5Csecret.txt', 'secret.txt', `${HELLO.slice(1)}g`]) {
    const res = await server.inject(`/store/${hash}`)
    assert.equal(res.statusCode, 200, hash)
    assert.equal(res.body, envelope(400, 'invalid hash'), hash)
  }
  // a traversal with encoded slashes never reaches the handler: cleaned (301) or no route
  const traversal = await server.inject('/store/..%2fsecret.txt')
  assert.equal(traversal.statusCode, 301)
  assert.equal(traversal.headers.location, '/secret.txt')
})

test('an empty hash is no route: /store/ is podinfo\'s 404 text', async (t) => {
  const server = await build(t, {}, { argv: ['--data-path', dataDir(t)] })
  for (const method of ['GET', 'POST'] as const) {
    const res = await server.inject({ method, url: '/store/' })
    assert.equal(res.statusCode, 404, method)
    assert.equal(res.body, '404 page not found\n')
  }
})

test('GET /store/{hash} of a missing file is the "reading file failed" envelope', async (t) => {
  const server = await build(t, {}, { argv: ['--data-path', dataDir(t)] })
  const res = await server.inject(`/store/${HELLO}`)
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(res.body, envelope(500, 'reading file failed'))
})

test('a missing data path, or one that is a file, is the "writing file failed" envelope and leaves nothing behind', async (t) => {
  const dir = dataDir(t)
  writeFileSync(join(dir, 'file'), 'x')
  for (const dataPath of [join(dir, 'missing'), join(dir, 'file')]) {
    const server = await build(t, {}, { argv: ['--data-path', dataPath] })
    const res = await server.inject({ method: 'POST', url: '/store', payload: 'hello world' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, envelope(500, 'writing file failed'))
  }
  assert.deepEqual(readdirSync(dir), ['file'])
})

test('a write that cannot be renamed into place fails cleanly: no partial file, no temp file', async (t) => {
  const dir = dataDir(t)
  mkdirSync(join(dir, HELLO)) // the target name is taken by a directory
  const server = await build(t, {}, { argv: ['--data-path', dir] })
  const res = await server.inject({ method: 'POST', url: '/store', payload: 'hello world' })
  assert.equal(res.body, envelope(500, 'writing file failed'))
  assert.deepEqual(readdirSync(dir), [HELLO])
  assert.ok(statSync(join(dir, HELLO)).isDirectory())
})

test('rewriting a hash replaces the whole file (old content is never mixed in)', async (t) => {
  const dir = dataDir(t)
  writeFileSync(join(dir, HELLO), 'a much longer stale content that must disappear entirely')
  const server = await build(t, {}, { argv: ['--data-path', dir] })
  await server.inject({ method: 'PUT', url: '/store', payload: 'hello world' })
  assert.equal(readFileSync(join(dir, HELLO), 'utf8'), 'hello world')
  const concurrent = await Promise.all(Array.from({ length: 8 }, () => server.inject({ method: 'POST', url: '/store', payload: 'hello world' })))
  for (const res of concurrent) assert.equal(res.statusCode, 202)
  assert.equal(readFileSync(join(dir, HELLO), 'utf8'), 'hello world')
  assert.deepEqual(readdirSync(dir), [HELLO])
})

test('a missing data path is named in a startup warning and in each failed write\'s log line', async (t) => {
  const missing = join(dataDir(t), 'not-there')
  const lines: Array<{ level: number, msg: string }> = []
  const config = loadConfig({}, ['--data-path', missing])
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
  assert.ok(lines.some((l) => l.level === 40 && l.msg === `data path ${missing} is missing: /store writes will fail until it is`))
  await server.inject({ method: 'POST', url: '/store', payload: 'hello world' })
  assert.ok(lines.some((l) => l.level === 50 && l.msg === `writing ${join(missing, HELLO)} failed: the data path does not exist (--data-path)`))
})
