import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startPodinfo } from '../process.js'

/** A GET that resolves with status and body, or with the error for an empty reply. */
async function get (url: string): Promise<{ status: number, body: string } | { error: string }> {
  return await new Promise((resolve) => {
    request(url, { agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', (err) => resolve({ error: err.message })).end()
  })
}

test('SIGTERM: probes flip to 503 at once, listeners keep serving for 3 s, in-flight requests complete, exit 0', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--server-shutdown-timeout=6s'] })
  const inflight = Array.from({ length: 20 }, async () => await get(podinfo.url + '/delay/1'))
  await sleep(200)
  const signalledAt = Date.now()
  podinfo.child.kill('SIGTERM')
  await sleep(300)

  assert.deepEqual(await get(podinfo.url + '/readyz'), { status: 503, body: '' })
  assert.deepEqual(await get(podinfo.url + '/healthz'), { status: 503, body: '' })
  // New connections are still accepted and served during the pause.
  assert.deepEqual(await get(podinfo.url + '/version'), {
    status: 200,
    body: '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}'
  })

  for (const result of await Promise.all(inflight)) {
    assert.deepEqual(result, { status: 200, body: '{\n  "delay": 1\n}' })
  }
  assert.equal(await podinfo.exited, 0)
  const elapsed = Date.now() - signalledAt
  assert.ok(elapsed >= 3000, `the 3 s pause was kept (exited after ${elapsed} ms)`)

  const messages = podinfo.logLines().map((line) => line.msg)
  assert.ok(messages.includes('Shutting down HTTP/HTTPS server'))
  const shutdownLine = podinfo.logLines().find((line) => line.msg === 'Shutting down HTTP/HTTPS server')
  assert.equal(shutdownLine?.timeout, 6)
})

test('SIGINT at --level=debug: no pause, exit 0', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--level=debug'] })
  const started = Date.now()
  assert.equal(await podinfo.stop('SIGINT'), 0)
  assert.ok(Date.now() - started < 2500, 'debug level skips the 3 s pause')
})

test('the drain is bounded by --server-shutdown-timeout, counted from the signal; exit 0 anyway', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--level=debug', '--server-shutdown-timeout=1s'] })
  const slow = get(podinfo.url + '/delay/30')
  await sleep(200)
  const started = Date.now()
  assert.equal(await podinfo.stop(), 0)
  const elapsed = Date.now() - started
  assert.ok(elapsed >= 900 && elapsed < 4000, `exited after ${elapsed} ms`)
  assert.ok('error' in await slow, 'the unfinished request was cut off')
  assert.ok(podinfo.logLines().some((line) => line.msg === 'HTTP server graceful shutdown failed' && line.level === 'warn'))
})

test('a second signal exits 1 at once', async (t) => {
  const podinfo = await startPodinfo(t)
  podinfo.child.kill('SIGTERM')
  await sleep(300)
  const started = Date.now()
  podinfo.child.kill('SIGTERM')
  assert.equal(await podinfo.exited, 1)
  assert.ok(Date.now() - started < 1500)
})
