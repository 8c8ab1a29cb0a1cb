import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { ResourceCount, RuntimeInfoCache, runtimeInfo } from '../../lib/info.js'
import { loadConfig } from '../../lib/config.js'

test('ResourceCount counts the active handles and keeps the count for a second', async (t) => {
  const resources = new ResourceCount()
  const first = resources.get()
  assert.ok(Number.isInteger(first) && first >= 1, String(first))
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => server.close())
  assert.equal(resources.get(), first, 'a count taken a moment ago is reused')
  assert.ok(new ResourceCount().get() > first, 'a fresh count sees the listening server')
})

test('RuntimeInfoCache hands out one frozen object until the goroutine count changes', () => {
  const config = loadConfig({}, ['--ui-message=cached'])
  let count = 3
  const cache = new RuntimeInfoCache(config, { get: () => count })
  const first = cache.get()
  assert.ok(Object.isFrozen(first))
  assert.equal(cache.get(), first, 'the same object while the count stays')
  assert.deepEqual({ ...first }, runtimeInfo(config, 3))
  assert.equal(first.message, 'cached')
  assert.equal(first.num_goroutine, '3')

  count = 4
  const next = cache.get()
  assert.notEqual(next, first)
  assert.ok(Object.isFrozen(next))
  assert.deepEqual({ ...next }, runtimeInfo(config, 4))
  assert.equal(cache.get(), next)
})
