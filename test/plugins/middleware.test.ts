import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'

test('version request headers overwrite client values and add no response header', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/headers', headers: { 'x-api-version': '1.0.0', 'x-api-revision': 'client' } })
  assert.match(res.body, /"X-Api-Revision": \[\n {4}"unknown"\n {2}\]/)
  assert.match(res.body, /"X-Api-Version": \[\n {4}"6\.14\.1"\n {2}\]/)
  assert.equal(res.headers['x-api-version'], undefined)
  assert.equal(res.headers['x-api-revision'], undefined)
})

test('--random-error fails about 1/3 of matched requests with 500/400/409 and an empty body', async (t) => {
  const app = await build(t, {}, { argv: ['--random-error'] })
  const counts = new Map<number, number>()
  const N = 300
  for (let i = 0; i < N; i++) {
    const res = await app.inject(i % 2 === 0 ? '/version' : '/healthz')
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1)
    if (res.statusCode !== 200) {
      assert.equal(res.body, '')
      assert.equal(res.headers['content-type'], undefined)
      assert.equal(res.headers['content-length'], '0')
    }
  }
  assert.deepEqual([...counts.keys()].filter((c) => ![200, 500, 400, 409].includes(c)), [])
  const errors = N - (counts.get(200) ?? 0)
  // Binomial(300, 1/3): mean 100, sd ≈ 8.2; the bounds are more than 6 sd away
  assert.ok(errors > 50 && errors < 150, `errors: ${errors}`)
  for (const code of [500, 400, 409]) assert.ok((counts.get(code) ?? 0) > 5, `code ${code}: ${counts.get(code) ?? 0}`)
  // unmatched requests are never touched
  for (let i = 0; i < 30; i++) assert.equal((await app.inject('/nothing')).statusCode, 404)
})

test('fault injection wins over random error; excluded paths still get random errors', async (t) => {
  const app = await build(t, {}, { argv: ['--random-error'] })
  app.state.faultInjection = true
  for (let i = 0; i < 30; i++) assert.equal((await app.inject('/version')).statusCode, 500)
  const statuses = new Set<number>()
  for (let i = 0; i < 60; i++) statuses.add((await app.inject('/fault_injection/status')).statusCode)
  assert.ok(statuses.has(200))
  assert.ok(statuses.size > 1, 'random errors still apply to excluded paths')
})

test('--random-delay with --random-delay-unit=ms sleeps an integer in [min, max-1] ms', async (t) => {
  const app = await build(t, {}, { argv: ['--random-delay', '--random-delay-unit=ms', '--random-delay-min=150', '--random-delay-max=200'] })
  for (let i = 0; i < 5; i++) {
    const started = Date.now()
    const res = await app.inject('/version')
    const took = Date.now() - started
    assert.equal(res.statusCode, 200)
    assert.ok(took >= 148, `took ${took} ms`)
  }
  // probes are delayed too
  const started = Date.now()
  assert.equal((await app.inject('/healthz')).statusCode, 200)
  assert.ok(Date.now() - started >= 148)
  // unmatched requests are not
  const quick = Date.now()
  await app.inject('/nothing')
  assert.ok(Date.now() - quick < 140)
})

test('--random-delay-min equal to max delays exactly that value (compat.md §2)', async (t) => {
  const app = await build(t, {}, { argv: ['--random-delay', '--random-delay-unit=ms', '--random-delay-min=120', '--random-delay-max=120'] })
  const started = Date.now()
  const res = await app.inject('/version')
  assert.equal(res.statusCode, 200)
  assert.ok(Date.now() - started >= 118)
})

test('fault injection skips the random delay', async (t) => {
  const app = await build(t, {}, { argv: ['--random-delay', '--random-delay-unit=ms', '--random-delay-min=400', '--random-delay-max=401'] })
  app.state.faultInjection = true
  const started = Date.now()
  assert.equal((await app.inject('/version')).statusCode, 500)
  assert.ok(Date.now() - started < 390)
})

test('invalid random-delay settings stop the process with exit code 2', async (t) => {
  for (const args of [['--random-delay-unit=h'], ['--random-delay-min=5', '--random-delay-max=4']]) {
    const podinfo = await startPodinfo(t, { args, waitFor: false })
    assert.equal(await podinfo.exited, 2, args.join(' '))
  }
})

test('at --level=debug each matched request logs "request started" with podinfo\'s fields', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--level=debug'] })
  await fetch(`${podinfo.url}/version?x=1`, { headers: { 'user-agent': 'probe/1' } })
  await fetch(`${podinfo.url}/nothing`)
  await new Promise((resolve) => setTimeout(resolve, 200))
  const started = podinfo.logLines().filter((l) => l.msg === 'request started')
  const entry = started.find((l) => l.uri === '/version?x=1')
  assert.ok(entry !== undefined, podinfo.logs())
  assert.equal(entry.level, 'debug')
  assert.equal(entry.method, 'GET')
  assert.equal(entry.proto, 'HTTP/1.1')
  assert.equal(entry['user-agent'], 'probe/1')
  assert.match(String(entry.remote), /^127\.0\.0\.1:\d+$/)
  assert.equal(started.some((l) => l.uri === '/nothing'), false)
})
