import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startPodinfo } from '../process.js'
import { call, envelope, pool, rawConnect, summary } from './clients.js'

// Issue item 3: the store never reads or writes outside --data-path (a canary file next to it
// proves it), same-content writes race safely, and kill -9 mid-write leaves no partial file.

const sha1 = (data: Buffer | string): string => createHash('sha1').update(data).digest('hex')
const CANARY = 'CANARY: outside the data path'

async function layout (t: { after: (fn: () => Promise<void>) => void }): Promise<{ root: string, data: string, canary: string }> {
  const root = await mkdtemp(join(tmpdir(), 'podinfo-store-'))
  t.after(async () => { await rm(root, { recursive: true, force: true }) })
  const data = join(root, 'data')
  await mkdir(data)
  const canary = join(root, 'canary')
  await writeFile(canary, CANARY)
  return { root, data, canary }
}

test('traversal attempts never read or write outside --data-path', async (t) => {
  const { root, data, canary } = await layout(t)
  // Planted links inside the data path: a directory link and a link named like a hash that
  // a write could try to follow.
  await symlink(root, join(data, 'up'))
  const linkedHash = sha1('through the link')
  await symlink(canary, join(data, linkedHash))
  const podinfo = await startPodinfo(t, { args: [`--data-path=${data}`] })

  const names = ['canary', '../canary', '..%2Fcanary', '%2e%2e%2fcanary', '%2E%2E%2Fcanary', '%252e%252e%252fcanary',
    '..%5Ccanary', '..\\canary', '%2F' + encodeURIComponent(canary.slice(1)), encodeURIComponent(canary), 'up%2Fcanary',
    'up/canary', '.%2e/canary', '%00' + sha1(CANARY), sha1(CANARY).toUpperCase(), sha1(CANARY) + '%00', sha1(CANARY) + '/',
    '..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd', '....//canary', '%c0%ae%c0%ae/canary']
  for (const name of names) {
    for (const method of ['GET', 'POST', 'PUT']) {
      const result = await call(`${podinfo.url}/store/${name}`, { method, body: method === 'GET' ? undefined : 'overwrite' })
      const text = 'error' in result ? result.error : result.body.toString()
      assert.ok(!text.includes('CANARY') && !text.includes('root:'), `${method} /store/${name}: ${text}`)
      if ('status' in result) assert.ok(result.status < 500, `${method} /store/${name}: ${result.status}`)
    }
  }
  // The canary's own hash is not in the data path: reading it fails as podinfo does.
  assert.deepEqual(summary(await call(`${podinfo.url}/store/${sha1(CANARY)}`)), { status: 200, body: envelope(500, 'reading file failed') })
  // Writing content whose hash names the planted link replaces the link, not its target.
  const stored = await call(podinfo.url + '/store', { method: 'POST', body: 'through the link' })
  assert.deepEqual(summary(stored), { status: 202, body: `{\n  "hash": "${linkedHash}"\n}` })
  assert.equal(await readFile(join(data, linkedHash), 'utf8'), 'through the link')

  assert.equal(await readFile(canary, 'utf8'), CANARY, 'the canary is untouched')
  assert.deepEqual((await readdir(root)).sort(), ['canary', 'data'], 'nothing written next to the data path')
  assert.equal(podinfo.child.exitCode, null)
})

test('concurrent writes of the same content: every one answered, one whole file', async (t) => {
  const { data } = await layout(t)
  const podinfo = await startPodinfo(t, { args: [`--data-path=${data}`] })
  const body = randomBytes(1024 * 1024)
  const results = await pool(60, 30, async (i) => summary(await call(podinfo.url + '/store', { method: i % 2 === 0 ? 'POST' : 'PUT', body })))
  for (const result of results) assert.deepEqual(result, { status: 202, body: `{\n  "hash": "${sha1(body)}"\n}` })
  assert.deepEqual(await readdir(data), [sha1(body)], 'one file, no temporary files left')
  assert.ok((await readFile(join(data, sha1(body)))).equals(body))
  const read = await call(`${podinfo.url}/store/${sha1(body)}`)
  assert.ok('status' in read && read.status === 202 && read.body.equals(body))
})

test('kill -9 during writes leaves no partial file under a hash name, and no temporary file after a restart', async (t) => {
  const { data } = await layout(t)
  const podinfo = await startPodinfo(t, { args: [`--data-path=${data}`] })
  // 8 MiB uploads in flight while the process is killed at staggered moments.
  const bodies = Array.from({ length: 12 }, () => randomBytes(8 * 1024 * 1024))
  const connections = await Promise.all(bodies.map(async (body) => {
    const connection = await rawConnect(podinfo.port)
    connection.socket.write(`POST /store HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`)
    connection.socket.write(body)
    return connection
  }))
  // Kill as soon as a write has reached the disk (a temporary file exists), or after 5 s.
  for (let i = 0; i < 250 && !(await readdir(data)).some((name) => name.endsWith('.tmp')); i++) await sleep(20)
  podinfo.child.kill('SIGKILL')
  await podinfo.exited
  for (const connection of connections) connection.socket.destroy()
  for (const name of await readdir(data)) {
    if (!/^[a-f0-9]{40}$/.test(name)) continue
    assert.equal(sha1(await readFile(join(data, name))), name, `${name} holds exactly the bytes it is named after`)
  }
  // A restarted server clears what the killed one left half-written.
  const again = await startPodinfo(t, { args: [`--data-path=${data}`] })
  const left = await readdir(data)
  for (const name of left) {
    assert.match(name, /^[a-f0-9]{40}$/, `only whole files remain after the restart (found ${name})`)
    assert.equal(sha1(await readFile(join(data, name))), name)
    assert.ok((await stat(join(data, name))).isFile())
  }
  assert.equal(again.child.exitCode, null)
})
