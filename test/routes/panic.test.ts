import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'
import { get, rawExchange } from '../raw-http.js'

test('GET /panic calls exit(255) and sends nothing', async (t) => {
  const codes: number[] = []
  const app = await build(t, {}, { exit: (code) => { codes.push(code) } })
  let answered = false
  app.inject('/panic').then(() => { answered = true }, () => { answered = true })
  const deadline = Date.now() + 5000
  while (codes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.deepEqual(codes, [255])
  assert.equal(answered, false)
})

test('HEAD and POST /panic are 405 and do not exit', async (t) => {
  const codes: number[] = []
  const app = await build(t, {}, { exit: (code) => { codes.push(code) } })
  for (const method of ['HEAD', 'POST'] as const) {
    const res = await app.inject({ method, url: '/panic' })
    assert.equal(res.statusCode, 405)
    assert.equal(res.body, '')
  }
  assert.deepEqual(codes, [])
})

test('the real process exits with 255 and the client gets an empty reply', async (t) => {
  const podinfo = await startPodinfo(t)
  const result = await rawExchange(podinfo.port, get('/panic'), { timeoutMs: 10_000 })
  assert.equal(result.closed, true)
  assert.equal(result.data.length, 0)
  assert.equal(await podinfo.exited, 255)
  assert.match(podinfo.logs(), /Panic command received/)
})
