import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'

function tempDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-configs-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The kubelet's atomic writer for a ConfigMap/Secret volume (see test/lib/fscache.test.ts). */
function kubeletWrite (dir: string, files: Record<string, string>, generation: number): void {
  const ts = `..2026_11_22_06_00_0${generation}.${2000 + generation}`
  mkdirSync(join(dir, ts))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, ts, name), content)
  const dataLink = join(dir, '..data')
  const old = existsSync(dataLink) ? readlinkSync(dataLink) : undefined
  symlinkSync(ts, join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), dataLink)
  for (const name of Object.keys(files)) {
    if (!existsSync(join(dir, name))) symlinkSync(join('..data', name), join(dir, name))
  }
  if (old !== undefined) {
    for (const name of readdirSync(join(dir, old))) {
      if (!(name in files)) unlinkSync(join(dir, name))
    }
    rmSync(join(dir, old), { recursive: true })
  }
}

async function configsBody (server: FastifyInstance): Promise<string> {
  const res = await server.inject('/configs')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(res.headers['x-content-type-options'], 'nosniff')
  return res.body
}

async function eventuallyBody (server: FastifyInstance, expected: string): Promise<void> {
  const deadline = Date.now() + 10_000
  let body = ''
  while (Date.now() < deadline) {
    body = await configsBody(server)
    if (body === expected) return
    await sleep(20)
  }
  assert.equal(body, expected)
}

test('GET /configs is {} without --config-path, or when it is not a directory', async (t) => {
  assert.equal(await configsBody(await build(t)), '{}')
  const dir = tempDir(t)
  writeFileSync(join(dir, 'file'), 'x')
  assert.equal(await configsBody(await build(t, {}, { argv: ['--config-path', join(dir, 'file')] })), '{}')
  assert.equal(await configsBody(await build(t, {}, { argv: ['--config-path', join(dir, 'missing')] })), '{}')
})

test('GET /configs serves a ConfigMap volume and follows the kubelet\'s ..data swaps while running', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'config.yaml': 'port: 9898\n', 'app.properties': 'key=value\n' }, 1)
  const server = await build(t, {}, { argv: ['--config-path', dir] })
  assert.equal(await configsBody(server), '{\n  "app.properties": "key=value\\n",\n  "config.yaml": "port: 9898\\n"\n}')

  kubeletWrite(dir, { 'app.properties': 'key=changed\n', 'z-new.txt': '<new> & "quoted"' }, 2)
  await eventuallyBody(server, '{\n  "app.properties": "key=changed\\n",\n  "z-new.txt": "\\u003cnew\\u003e \\u0026 \\"quoted\\""\n}')

  for (let generation = 3; generation <= 5; generation++) {
    kubeletWrite(dir, { 'app.properties': `generation=${generation}\n` }, generation)
    await eventuallyBody(server, `{\n  "app.properties": "generation=${generation}\\n"\n}`)
  }
})

test('GET /configs skips directories, ".." names and symlinks to directories, and keeps running', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'a.txt': 'one' }, 1)
  mkdirSync(join(dir, 'subdir'))
  symlinkSync('subdir', join(dir, 'dirlink'))
  const server = await build(t, {}, { argv: ['--config-path', dir] })
  assert.equal(await configsBody(server), '{\n  "a.txt": "one"\n}')
  kubeletWrite(dir, { 'a.txt': 'two' }, 2)
  await eventuallyBody(server, '{\n  "a.txt": "two"\n}')
})

test('GET /configs survives the directory vanishing and picks it up again', async (t) => {
  const parent = tempDir(t)
  const dir = join(parent, 'config')
  mkdirSync(dir)
  kubeletWrite(dir, { 'a.txt': 'one' }, 1)
  const server = await build(t, {}, { argv: ['--config-path', dir] })
  rmSync(dir, { recursive: true })
  await sleep(100)
  assert.equal(await configsBody(server), '{\n  "a.txt": "one"\n}')
  mkdirSync(dir)
  kubeletWrite(dir, { 'b.txt': 'back' }, 2)
  await eventuallyBody(server, '{\n  "b.txt": "back"\n}')
})

test('GET /configs redacts the JWT secret wherever a mounted file holds it', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'secret.env': 'JWT=hunter2-jwt\nOTHER=x\n' }, 1)
  const server = await build(t, { PODINFO_JWT_SECRET: 'hunter2-jwt' }, { argv: ['--config-path', dir] })
  assert.equal(await configsBody(server), '{\n  "secret.env": "JWT=[redacted]\\nOTHER=x\\n"\n}')
})

test('GET /configs also redacts a jwt-secret key or file that the environment overrides', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, {
    'config.yaml': 'level: info\njwt-secret: file-secret-1\n',
    'jwt-secret': 'file-secret-2'
  }, 1)
  const server = await build(t, { PODINFO_JWT_SECRET: 'env-secret' }, { argv: ['--config-path', dir] })
  assert.equal(await configsBody(server), '{\n  "config.yaml": "level: info\\njwt-secret: [redacted]\\n",\n  "jwt-secret": "[redacted]"\n}')
})
