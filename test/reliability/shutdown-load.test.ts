import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, startPodinfo } from '../process.js'
import { call, summary, within, type Outcome } from './clients.js'

// Issue item 7: SIGTERM/SIGINT while 50 /delay/1 requests and a steady load are in flight.

const VERSION = '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}'

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} under load: readyz 503 at once, every in-flight request answered, new connections served during the pause, exit 0`, async (t) => {
    const podinfo = await startPodinfo(t, { args: ['--server-shutdown-timeout=5s'] })
    const inflight = Array.from({ length: 50 }, async () => await call(podinfo.url + '/delay/1'))

    // A steady load of new connections until the process is gone.
    const running = { exited: false }
    const steady: Array<{ at: number, outcome: Outcome }> = []
    const workers = Array.from({ length: 4 }, async () => {
      while (!running.exited) steady.push({ at: Date.now(), outcome: await call(podinfo.url + '/version', { timeoutMs: 5000 }) })
    })
    await sleep(300)
    const signalledAt = Date.now()
    podinfo.child.kill(signal)
    podinfo.exited.then(() => { running.exited = true }, () => {})
    await sleep(150)
    assert.deepEqual(summary(await call(podinfo.url + '/readyz')), { status: 503, body: '' })
    assert.deepEqual(summary(await call(podinfo.url + '/healthz')), { status: 503, body: '' })

    for (const result of await Promise.all(inflight)) {
      assert.deepEqual(summary(result), { status: 200, body: '{\n  "delay": 1\n}' })
    }
    assert.equal(await within(9000, 'exit', podinfo.exited), 0)
    const elapsed = Date.now() - signalledAt
    assert.ok(elapsed >= 3000 && elapsed < 8000, `exited ${elapsed} ms after the signal`)
    await Promise.all(workers)

    // Every request started during the 3 s pause was answered normally.
    const duringPause = steady.filter(({ at }) => at >= signalledAt && at < signalledAt + 2800)
    assert.ok(duringPause.length >= 20, `${duringPause.length} new connections during the pause`)
    for (const { outcome } of duringPause) assert.deepEqual(summary(outcome), { status: 200, body: VERSION })
  })
}

test('a second signal during the drain exits 1 at once', async (t) => {
  const podinfo = await startPodinfo(t)
  const slow = call(podinfo.url + '/delay/3')
  await sleep(200)
  podinfo.child.kill('SIGTERM')
  await sleep(500)
  const second = Date.now()
  podinfo.child.kill('SIGINT')
  assert.equal(await within(5000, 'exit', podinfo.exited), 1)
  assert.ok(Date.now() - second < 2000)
  await slow
})

test('the HTTP port already in use: exit non-zero with a clear message', async (t) => {
  const port = await freePort()
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve))
  t.after(() => holder.close())
  const podinfo = await startPodinfo(t, { args: [`--port=${port}`], waitFor: false })
  const code = await within(20_000, 'exit', podinfo.exited)
  assert.equal(code, 1)
  assert.match(podinfo.logs(), /EADDRINUSE|address already in use/)
  assert.match(podinfo.logs(), new RegExp(String(port)))
})
