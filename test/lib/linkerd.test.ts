import assert from 'node:assert/strict'
import { test } from 'node:test'
import { matchingRoutes, pathToRegex, quoteMeta, serviceProfileRoutes } from '../../lib/linkerd.js'

const ok = { description: 'OK' }

test('quoteMeta escapes exactly what Go regexp.QuoteMeta escapes; {param} becomes [^/]*', () => {
  assert.equal(quoteMeta('/a-b_c.d+e*f?g(h)i|j[k]l{m}n^o$p\\q~r'), '/a-b_c\\.d\\+e\\*f\\?g\\(h\\)i\\|j\\[k\\]l\\{m\\}n\\^o\\$p\\\\q~r')
  assert.equal(pathToRegex('/chunked/{seconds}'), '/chunked/[^/]*')
  assert.equal(pathToRegex('/f/{n}.{ext}'), '/f/[^/]*\\.[^/]*')
  assert.equal(pathToRegex('/swagger.json'), '/swagger\\.json')
})

test('paths sorted byte-wise, basePath joined, one route per method in linkerd order', () => {
  const doc = {
    swagger: '2.0',
    basePath: '/api/v1/',
    paths: {
      '/store/{hash}': { get: { responses: { 200: ok } } },
      '/store/latest': { get: { responses: { 200: ok } } },
      '/Zebra': { get: {} },
      '//cache/{key}': {
        post: { responses: { 202: ok } },
        get: { responses: { 500: ok, 200: ok, '+404': ok, default: ok, 'x-extra': 1, '2XX': ok } },
        delete: { 'x-linkerd-retryable': true, 'x-linkerd-timeout': '30s', responses: { 202: ok } },
        put: { 'x-linkerd-retryable': 'true', 'x-linkerd-timeout': 30, 'X-Linkerd-Retryable': true },
        head: null,
        trace: { responses: { 200: ok } }
      },
      'x-not-a-path': {},
      'relative/path': { get: {} }
    }
  }
  assert.deepEqual(serviceProfileRoutes(doc), [
    {
      name: 'DELETE /api/v1/cache/{key}',
      condition: { pathRegex: '/api/v1/cache/[^/]*', method: 'DELETE' },
      responseClasses: [{ condition: { status: { min: 202, max: 202 } } }],
      isRetryable: true,
      timeout: '30s'
    },
    {
      name: 'GET /api/v1/cache/{key}',
      condition: { pathRegex: '/api/v1/cache/[^/]*', method: 'GET' },
      responseClasses: [
        { condition: { status: { min: 200, max: 200 } } },
        { condition: { status: { min: 404, max: 404 } } },
        { condition: { status: { min: 500, max: 500 } }, isFailure: true }
      ]
    },
    {
      name: 'POST /api/v1/cache/{key}',
      condition: { pathRegex: '/api/v1/cache/[^/]*', method: 'POST' },
      responseClasses: [{ condition: { status: { min: 202, max: 202 } } }]
    },
    { name: 'PUT /api/v1/cache/{key}', condition: { pathRegex: '/api/v1/cache/[^/]*', method: 'PUT' } },
    { name: 'GET /api/v1/Zebra', condition: { pathRegex: '/api/v1/Zebra', method: 'GET' } },
    {
      name: 'GET /api/v1/store/latest',
      condition: { pathRegex: '/api/v1/store/latest', method: 'GET' },
      responseClasses: [{ condition: { status: { min: 200, max: 200 } } }]
    },
    {
      name: 'GET /api/v1/store/{hash}',
      condition: { pathRegex: '/api/v1/store/[^/]*', method: 'GET' },
      responseClasses: [{ condition: { status: { min: 200, max: 200 } } }]
    }
  ])
})

test('basePath "/" or none adds nothing; field names match case-insensitively; OpenAPI 3 servers are ignored', () => {
  assert.deepEqual(serviceProfileRoutes({ basePath: '/', paths: { '/x': { GET: {} } } }).map((r) => r.name), ['GET /x'])
  assert.deepEqual(serviceProfileRoutes({ BasePath: '/p', Paths: { '/x': { Post: {} } } }).map((r) => r.name), ['POST /p/x'])
  assert.deepEqual(serviceProfileRoutes({ openapi: '3.1.0', servers: [{ url: '/ignored' }], paths: { '/books/{id}': { get: {} } } }),
    [{ name: 'GET /books/{id}', condition: { pathRegex: '/books/[^/]*', method: 'GET' } }])
  assert.deepEqual(serviceProfileRoutes({ swagger: '2.0' }), [])
})

test('documents linkerd rejects are rejected', () => {
  assert.throws(() => serviceProfileRoutes('nope'), /Error parsing OpenAPI spec/)
  assert.throws(() => serviceProfileRoutes({ paths: { '/x': { get: 'op' } } }), /Error parsing OpenAPI spec/)
  assert.throws(() => serviceProfileRoutes({ paths: { '/x': { get: { responses: { 200: 'OK' } } } } }), /response 200 is not an object/)
})

test('matchingRoutes: anchored regex on the path, equal method', () => {
  const routes = serviceProfileRoutes({
    basePath: '/',
    paths: { '/echo': { post: {} }, '/echo/{path}': { post: {} }, '/store/latest': { get: {} }, '/store/{hash}': { get: {} } }
  })
  assert.deepEqual(matchingRoutes(routes, 'POST', '/echo').map((r) => r.name), ['POST /echo'])
  assert.deepEqual(matchingRoutes(routes, 'POST', '/echo/a').map((r) => r.name), ['POST /echo/{path}'])
  assert.deepEqual(matchingRoutes(routes, 'POST', '/echo/a/b'), [])
  assert.deepEqual(matchingRoutes(routes, 'GET', '/echo'), [])
  assert.deepEqual(matchingRoutes(routes, 'GET', '/xecho'), [])
  // both match: the proxy takes the first, which sorts before `{`
  assert.deepEqual(matchingRoutes(routes, 'GET', '/store/latest').map((r) => r.name), ['GET /store/latest', 'GET /store/{hash}'])
})

/** Upstream podinfo 6.14.1's swagger.json (spec §18): paths and methods only. */
const UPSTREAM: Record<string, string[]> = {
  '/': ['get'],
  '/api/echo': ['post'],
  '/api/info': ['get'],
  '/cache/{key}': ['get', 'post', 'delete'],
  '/chunked/{seconds}': ['get'],
  '/delay/{seconds}': ['get'],
  '/env': ['get'],
  '/fault_injection/disable': ['post'],
  '/fault_injection/enable': ['post'],
  '/fault_injection/status': ['get'],
  '/headers': ['get'],
  '/healthz': ['get'],
  '/metrics': ['get'],
  '/panic': ['get'],
  '/readyz': ['get'],
  '/readyz/disable': ['post'],
  '/readyz/enable': ['post'],
  '/status/{code}': ['get'],
  '/store': ['post'],
  '/store/{hash}': ['get'],
  '/token': ['post'],
  '/token/validate': ['post'],
  '/version': ['get'],
  '/ws/echo': ['post']
}

test('upstream podinfo\'s document leaves the traffic listed in the ops notes unmatched', () => {
  const doc = {
    swagger: '2.0',
    basePath: '/',
    paths: Object.fromEntries(Object.entries(UPSTREAM).map(([path, methods]) =>
      [path, Object.fromEntries(methods.map((m) => [m, { responses: { 200: ok } }]))]))
  }
  const routes = serviceProfileRoutes(doc)
  assert.equal(routes.length, 26)
  const unmatched: Array<[string, string]> = [
    ['GET', '/echo'], ['POST', '/echo'], ['POST', '/env'], ['POST', '/headers'], ['POST', '/status/201'],
    ['PUT', '/status/201'], ['PUT', '/store'], ['PUT', '/cache/k'], ['GET', '/configs'], ['GET', '/chunked'],
    ['GET', '/swagger.json'], ['GET', '/token/validate'], ['GET', '/ws/echo']
  ]
  for (const [method, path] of unmatched) assert.deepEqual(matchingRoutes(routes, method, path), [], `${method} ${path}`)
  const matched: Array<[string, string]> = [
    ['GET', '/'], ['POST', '/api/echo'], ['GET', '/api/info'], ['GET', '/cache/k'], ['POST', '/cache/k'],
    ['DELETE', '/cache/k'], ['GET', '/chunked/1'], ['GET', '/delay/1'], ['GET', '/status/201'], ['POST', '/store'],
    ['GET', '/store/0a4d55a8d778e5022fab701977c5d840bbc486d0'], ['POST', '/token'], ['POST', '/readyz/enable']
  ]
  for (const [method, path] of matched) assert.equal(matchingRoutes(routes, method, path).length, 1, `${method} ${path}`)
})
