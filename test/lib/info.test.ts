import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { ResourceCount } from '../../lib/info.js'

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
