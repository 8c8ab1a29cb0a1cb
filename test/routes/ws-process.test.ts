import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { WebSocket } from 'ws'
import { startPodinfo } from '../process.js'

test('the real process: an open WebSocket session does not hold up SIGTERM; the client gets 1001', { timeout: 30_000 }, async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--level=debug'] }) // debug skips the 3 s pause (spec §14)
  const ws = new WebSocket(`ws://127.0.0.1:${podinfo.port}/ws/echo`)
  t.after(() => ws.terminate())
  await once(ws, 'open')
  ws.send('hello')
  const [reply] = await once(ws, 'message') as [Buffer]
  assert.match(String(reply), /^\{"ts":"[^"]+","msg":"hello"\}\n$/)
  const closed = once(ws, 'close')
  assert.equal(await podinfo.stop('SIGTERM'), 0)
  const [code] = await closed as [number]
  assert.equal(code, 1001)
})
