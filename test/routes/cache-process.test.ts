import { test } from 'node:test'
import assert from 'node:assert/strict'
import { freePort, startPodinfo } from '../process.js'

test('the real process starts, turns ready and serves while its Redis is unreachable', { timeout: 30_000 }, async (t) => {
  const redisPort = await freePort()
  const podinfo = await startPodinfo(t, { env: { PODINFO_CACHE_SERVER: `tcp://:hunter2pw@127.0.0.1:${redisPort}` } })
  const write = await fetch(`${podinfo.url}/cache/key`, { method: 'POST', body: 'value' })
  assert.equal(write.status, 200)
  assert.equal(await write.text(), '{\n  "code": 500,\n  "message": "cache set failed"\n}')
  const read = await fetch(`${podinfo.url}/cache/key`)
  assert.equal(read.status, 404)
  assert.equal((await fetch(`${podinfo.url}/healthz`)).status, 200)
  const offline = podinfo.logLines().filter((l) => l.msg === 'cache server is offline')
  assert.equal(offline.length, 1)
  assert.doesNotMatch(podinfo.logs(), /hunter2pw/)
  assert.equal(await podinfo.stop(), 0)
})
