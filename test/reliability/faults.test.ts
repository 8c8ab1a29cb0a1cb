import assert from 'node:assert/strict'
import { test } from 'node:test'
import autocannon from 'autocannon'
import { startPodinfo } from '../process.js'
import { call, residentMemory, summary } from './clients.js'

// Issue item 8: 10k requests with --random-error and --random-delay (ms): no crash, an error
// rate within statistical bounds of 1/3, memory stable. Memory is read from the metrics port,
// which random errors do not touch.

async function load (url: string, amount: number): Promise<autocannon.Result> {
  return await new Promise((resolve, reject) => {
    autocannon({ url, amount, connections: 40, timeout: 10 }, (err, result) => {
      if (err != null) reject(err)
      else resolve(result)
    })
  })
}

test('10k requests with random errors and random delays', async (t) => {
  const podinfo = await startPodinfo(t, {
    metrics: true,
    waitFor: false,
    args: ['--random-error', '--random-delay', '--random-delay-unit=ms', '--random-delay-min=0', '--random-delay-max=5']
  })
  const metrics = `http://127.0.0.1:${podinfo.metricsPort}`
  for (let i = 0; ; i++) {
    try { await residentMemory(metrics); break } catch { if (i > 200) throw new Error(podinfo.logs()) }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  await load(podinfo.url + '/version', 1000) // warm-up: JIT, pools
  const before = await residentMemory(metrics)
  const n = 10_000
  const result = await load(podinfo.url + '/version', n)
  const after = await residentMemory(metrics)

  assert.equal(result.errors, 0, 'no connection errors or timeouts')
  assert.equal(result.timeouts, 0)
  const ok = result['2xx']
  const failed = result['4xx'] + result['5xx']
  assert.equal(ok + failed, n, `every request answered (${ok} 2xx, ${failed} 4xx/5xx)`)
  // Binomial(n, 1/3): sd ≈ 47; 6 sd either side.
  const expected = n / 3
  const sd = Math.sqrt(n * (1 / 3) * (2 / 3))
  assert.ok(Math.abs(failed - expected) < 6 * sd, `error count ${failed}, expected ${Math.round(expected)} ± ${Math.round(6 * sd)}`)
  for (const code of [400, 409, 500]) {
    const count = (result.statusCodeStats as Record<number, { count: number } | undefined> | undefined)?.[code]?.count ?? 0
    assert.ok(Math.abs(count - n / 9) < 6 * Math.sqrt(n * (1 / 9) * (8 / 9)), `${code}: ${count}`)
  }
  assert.ok(after - before < 64 * 1024 * 1024, `resident memory grew by ${Math.round((after - before) / 1048576)} MiB`)
  assert.equal(podinfo.child.exitCode, null)
  // Still serving (retry through the random errors).
  let answered = false
  for (let i = 0; i < 30 && !answered; i++) {
    answered = (summary(await call(podinfo.url + '/version')) as { status?: number }).status === 200
  }
  assert.ok(answered)
})
