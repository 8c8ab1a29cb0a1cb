import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cleanPath, escapePath, muxTemplate, pathLabel } from '../../lib/paths.js'

test('cleanPath is gorilla/mux cleaning: leading /, no //, no dot segments, trailing / kept', () => {
  const cases: Array<[string, string]> = [
    ['', '/'],
    ['/', '/'],
    ['version', '/version'],
    ['//version', '/version'],
    ['/echo/../version', '/version'],
    ['/store/../../etc', '/etc'],
    ['/a/./b/', '/a/b/'],
    ['/a//b//', '/a/b/'],
    ['/a/b/..', '/a'],
    ['/a/b/../', '/a/'],
    ['/..', '/'],
    ['/../', '/'],
    ['///', '/'],
    ['/version/', '/version/'],
    ['/version', '/version']
  ]
  for (const [input, expected] of cases) assert.equal(cleanPath(input), expected, input)
})

test('escapePath percent-encodes like url.EscapedPath, leaving pchar and / alone', () => {
  assert.equal(escapePath('/etc'), '/etc')
  assert.equal(escapePath("/a-b_c.d~e!$&'()*+,;=:@"), "/a-b_c.d~e!$&'()*+,;=:@")
  assert.equal(escapePath('/a b?#%'), '/a%20b%3F%23%25')
  assert.equal(escapePath('/é'), '/%C3%A9')
})

test('pathLabel follows spec §8.2: runs of non-alphanumerics to _, trimmed, lower-cased', () => {
  assert.equal(pathLabel('/'), 'root')
  assert.equal(pathLabel(''), 'root')
  assert.equal(pathLabel('/api/info'), 'api_info')
  assert.equal(pathLabel('/echo/'), 'echo')
  assert.equal(pathLabel('/chunked/{wait:[0-9]+}'), 'chunked_wait_0_9')
  assert.equal(pathLabel('/foo/chunked/{wait:[0-9]+}'), 'foo_chunked_wait_0_9')
  assert.equal(pathLabel('/cache/{key}'), 'cache_key')
  assert.equal(pathLabel('/debug/pprof/'), 'debug_pprof')
  assert.equal(pathLabel('/swagger.json'), 'swagger_json')
  assert.equal(pathLabel('/Foo/'), 'foo')
})

test('muxTemplate turns Fastify URLs into gorilla/mux templates', () => {
  assert.equal(muxTemplate('/chunked/:seconds(^\\d+$)'), '/chunked/{seconds:[0-9]+}')
  assert.equal(muxTemplate('/cache/:key'), '/cache/{key}')
  assert.equal(muxTemplate('/echo/*'), '/echo/')
  assert.equal(muxTemplate('/version'), '/version')
})
