import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { startPodinfo } from '../process.js'
import { call } from './clients.js'

// Issue item 2, properties: requests generated from the server's own route schemas (its
// swagger.json: every method, path and path-parameter pattern) with hostile path values,
// query strings, headers and bodies. Never a 5xx from our code, never a dropped connection,
// never a crash, never an unhandled error in the log.

interface Operation { method: string, path: string, params: Array<{ name: string, pattern?: string }> }

/** Routes that end or change the process on purpose, or wait 10+ s by design. */
const SKIP = new Set(['GET /panic', 'POST /fault_injection/enable', 'POST /readyz/disable'])
const SKIP_PATHS = new Set(['/chunked'])
/** Routes whose 5xx is their answer: `/status/{code}` answers `code`. */
const ANSWERS_ANY_STATUS = new Set(['/status/{code}'])

const hostile = fc.constantFrom('..', '%2e%2e', '%2F', '%00', '%ff', '%', '%zz', '%25', '.', '-1', '１', '%E2%80%AE',
  'a'.repeat(9000), '9'.repeat(40), '9223372036854775808', '0', '{seconds}', '*', '%0d%0aX-Injected:%201')

/** A value for a path parameter: from its pattern, or anything, percent-encoded. */
function paramValue (pattern: string | undefined, name: string, chunked: boolean): fc.Arbitrary<string> {
  // Waits come from small values or overflowing ones, not from days-long sleeps.
  // (/chunked treats an overflowing value as absent and waits 10+ s: no overflow there.)
  if (name === 'seconds') {
    return chunked
      ? fc.oneof(fc.constantFrom('0', '00', '000000000000000000000000000000'), hostile.filter((v) => !/^\d+$/.test(v)))
      : fc.oneof(fc.constantFrom('0', '00', '9223372036854775808', '99999999999999999999'), hostile)
  }
  const matching = pattern === undefined ? fc.string({ minLength: 1, maxLength: 60 }) : fc.stringMatching(new RegExp(pattern))
  return fc.oneof(matching.map(encodeURIComponent), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent), hostile)
}

const token = fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/)
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,200}$/)
const headers = fc.record({
  extra: fc.dictionary(token, headerValue, { maxKeys: 6 }),
  contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'multipart/form-data', 'application/x-www-form-urlencoded', '*/*', 'x/\u00ff', ''), { nil: undefined }),
  authorization: fc.option(fc.oneof(headerValue, headerValue.map((v) => 'Bearer ' + v)), { nil: undefined }),
  connection: fc.option(fc.constantFrom('close', 'keep-alive', 'upgrade', 'Upgrade, HTTP2-Settings'), { nil: undefined }),
  upgrade: fc.option(fc.constantFrom('websocket', 'h2c', 'garbage'), { nil: undefined })
})
const query = fc.option(fc.dictionary(token, fc.string({ maxLength: 30 }), { maxKeys: 4 }), { nil: undefined })
const body = fc.option(fc.uint8Array({ maxLength: 4096 }), { nil: undefined })
const otherMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'TRACE')

test('requests generated from the route schemas: never a 5xx from our code, never a crash', async (t) => {
  const dataPath = await mkdtemp(join(tmpdir(), 'podinfo-fuzz-'))
  t.after(async () => { await rm(dataPath, { recursive: true, force: true }) })
  const podinfo = await startPodinfo(t, { args: [`--data-path=${dataPath}`, '--http-server-timeout=5s'] })
  const swagger = await (await fetch(podinfo.url + '/swagger.json')).json() as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string, in: string, pattern?: string }> }>>
  }
  const operations: Operation[] = []
  for (const [path, methods] of Object.entries(swagger.paths)) {
    if (SKIP_PATHS.has(path)) continue
    for (const [method, operation] of Object.entries(methods)) {
      if (method === 'parameters' || SKIP.has(`${method.toUpperCase()} ${path}`)) continue
      operations.push({ method: method.toUpperCase(), path, params: (operation.parameters ?? []).filter((p) => p.in === 'path') })
    }
  }
  assert.ok(operations.length > 50, `${operations.length} operations from swagger.json`)

  const request = fc.constantFrom(...operations).chain((operation) => fc.record({
    operation: fc.constant(operation),
    method: fc.oneof({ weight: 4, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: otherMethod }),
    values: fc.tuple(...operation.params.map((p) => paramValue(p.pattern, p.name, operation.path.startsWith('/chunked')))),
    headers,
    query,
    body
  }))

  await fc.assert(fc.asyncProperty(request, async (input) => {
    let path = input.operation.path
    input.operation.params.forEach((param, i) => { path = path.replace(`{${param.name}}`, input.values[i] as string) })
    const search = input.query === undefined ? '' : '?' + new URLSearchParams(input.query).toString()
    const sent: Record<string, string> = { ...input.headers.extra }
    if (input.headers.contentType !== undefined) sent['content-type'] = input.headers.contentType
    if (input.headers.authorization !== undefined) sent.authorization = input.headers.authorization
    if (input.headers.connection !== undefined) sent.connection = input.headers.connection
    if (input.headers.upgrade !== undefined) sent.upgrade = input.headers.upgrade
    delete sent['content-length']
    delete sent['transfer-encoding']
    delete sent.host
    delete sent.expect
    const result = await call(podinfo.url + path + search, {
      method: input.method,
      headers: sent,
      body: input.body === undefined || input.method === 'GET' || input.method === 'HEAD' ? undefined : Buffer.from(input.body),
      timeoutMs: 8000
    })
    const what = `${input.method} ${path}${search}`
    if (input.headers.upgrade !== undefined && 'error' in result && /socket hang up|ECONNRESET/.test(result.error) && input.headers.connection?.toLowerCase().includes('upgrade') === true) {
      return // an accepted Upgrade hands the connection over; node's client then reports a hang-up
    }
    assert.ok(!('error' in result), `${what}: ${'error' in result ? result.error : ''}`)
    if (!ANSWERS_ANY_STATUS.has(input.operation.path)) assert.ok(result.status < 500, `${what}: ${result.status} ${result.body.toString().slice(0, 200)}`)
  }), { numRuns: 800 })

  assert.equal(podinfo.child.exitCode, null, 'still running')
  const unhandled = podinfo.logLines().filter((line) => line.msg === 'unhandled error' || (line.level as number) >= 50)
  assert.deepEqual(unhandled, [], 'no unhandled errors logged')
})
