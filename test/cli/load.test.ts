import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { podcli } from './podcli.js'
import { closedPort, httpServer } from './servers.js'

describe('podcli load', { concurrency: 3 }, () => {
  it('reports the status mix and error rate as JSON, exit code driven by the thresholds', async (t) => {
    let n = 0
    const server = await httpServer(t, (_req, res) => {
      n++
      res.statusCode = n % 3 === 0 ? 500 : 200
      res.end('{"status": "OK"}')
    })
    const url = `http://127.0.0.1:${server.port}/api/info`
    const [loose, strict] = await Promise.all([
      podcli(['load', url, '--requests', '300', '-c', '3', '--json', '--max-error-rate', '0.5', '--max-p99', '30s']),
      podcli(['load', url, '--requests', '300', '-c', '3', '--json', '--max-error-rate', '0.01'])
    ])
    assert.equal(loose.code, 0, loose.stderr)
    assert.equal(strict.code, 2, strict.stderr)
    for (const r of [loose, strict]) {
      const report = JSON.parse(r.stdout)
      assert.equal(report.url, url)
      assert.equal(report.method, 'GET')
      assert.equal(report.requests.total, 300)
      const codes = report.statusCodes as Record<string, number>
      assert.deepEqual(Object.keys(codes), ['200', '500'])
      assert.equal(codes['200'] + codes['500'], 300)
      assert.equal(report.errors.responses, codes['500'])
      assert.equal(report.errors.connection, 0)
      assert.equal(report.errors.rate, Math.round(codes['500'] / 300 * 1e4) / 1e4)
      for (const key of ['min', 'mean', 'p50', 'p90', 'p99', 'max']) assert.equal(typeof report.latencyMs[key], 'number')
    }
    // Both runs shared one server that fails every third request, so together exactly 1/3 failed.
    const total500 = [loose, strict].reduce((sum, r) => sum + (JSON.parse(r.stdout).statusCodes['500'] as number), 0)
    assert.equal(total500, 200)
    assert.deepEqual(JSON.parse(loose.stdout).thresholds.map((th: { name: string, pass: boolean }) => [th.name, th.pass]),
      [['max-error-rate', true], ['max-p99', true]])
    assert.equal(JSON.parse(loose.stdout).pass, true)
    assert.deepEqual(JSON.parse(strict.stdout).thresholds.map((th: { name: string, pass: boolean }) => [th.name, th.pass]),
      [['max-error-rate', false]])
    assert.equal(JSON.parse(strict.stdout).pass, false)
  })

  it('prints a human report; every 503 is an error; POST sends the body and headers', async (t) => {
    const headers: Array<string | string[] | undefined> = []
    const server = await httpServer(t, (req, res) => { headers.push(req.headers['x-test']); res.statusCode = 503; res.end() })
    const r = await podcli(['load', `127.0.0.1:${server.port}/status/503`, '-n', '50', '-c', '2', '-m', 'POST',
      '--data', 'ping', '-H', 'X-Test: yes', '--max-error-rate', '0.5'])
    assert.equal(r.code, 2)
    assert.match(r.stdout, /^Target: {7}POST http:\/\/127\.0\.0\.1:\d+\/status\/503\n/)
    assert.match(r.stdout, /^Status codes: 503: 50$/m)
    assert.match(r.stdout, /^Errors: {7}50 of 50 \(100\.00%\): 50 error responses, 0 connection errors \(0 timeouts\)$/m)
    assert.match(r.stdout, /^Thresholds: {3}error rate 100\.00% > 50\.00%: FAIL$/m)
    assert.match(r.stdout, /^Result: {7}FAIL\n$/m)
    assert.match(r.stderr, /\d+s: 50 requests, [\d.]+ req\/s, errors 100\.00%\n/)
    assert.equal(server.requests.length, 50)
    assert.ok(server.requests.every((req) => req.method === 'POST' && req.body === 'ping'))
    assert.ok(headers.every((h) => h === 'yes'))
  })

  it('exits 1 and names the connection error when nothing answers', async () => {
    const port = await closedPort()
    const r = await podcli(['load', `127.0.0.1:${port}`, '-n', '5', '-c', '1', '--json'])
    assert.equal(r.code, 1)
    const report = JSON.parse(r.stdout)
    assert.equal(report.errors.rate, 1)
    assert.equal(report.errors.firstConnectionError, `dial tcp 127.0.0.1:${port}: connect: connection refused`)
    assert.deepEqual(r.logs.map((l) => [l.message, l.fields]), [['load failed: no responses',
      { address: `http://127.0.0.1:${port}`, error: `dial tcp 127.0.0.1:${port}: connect: connection refused` }]])
  })

  it('rejects bad thresholds and a missing url like any podcli usage error', async () => {
    const [rate, url] = await Promise.all([
      podcli(['load', 'http://127.0.0.1:1', '--max-error-rate', '2']),
      podcli(['load'])
    ])
    assert.equal(rate.code, 1)
    assert.equal(rate.stdout, '--max-error-rate must be between 0 and 1\n')
    assert.match(rate.stderr, /^Error: --max-error-rate must be between 0 and 1\nUsage:\n {2}podcli load \[url\] \[flags\]\n/)
    assert.equal(url.code, 1)
    assert.equal(url.stdout, 'Url is required! example: load http://localhost:9898/ --duration 30s\n')
  })
})
