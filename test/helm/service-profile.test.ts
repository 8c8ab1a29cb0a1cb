// The chart's Linkerd ServiceProfile routes: the generator follows `linkerd profile --open-api`,
// and the committed helm/podinfo/files/routes.json is what the app's swagger.json gives today.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { build } from '../helper.js'
import { formatRoutes, openApiRoutes, pathToRegex, quoteMeta, routesFile, type Route } from '../../scripts/service-profile.js'

const ok = { description: 'OK' }

test('quoteMeta escapes exactly what Go regexp.QuoteMeta escapes', () => {
  assert.equal(quoteMeta('/a-b_c.d+e*f?g(h)i|j[k]l{m}n^o$p\\q'), '/a-b_c\\.d\\+e\\*f\\?g\\(h\\)i\\|j\\[k\\]l\\{m\\}n\\^o\\$p\\\\q')
  assert.equal(pathToRegex('/chunked/{seconds}'), '/chunked/[^/]*')
  assert.equal(pathToRegex('/f/{n}.{ext}'), '/f/[^/]*\\.[^/]*')
  assert.equal(pathToRegex('/api/info'), '/api/info')
})

test('routes: sorted paths, linkerd method order, basePath, response classes, extensions', () => {
  const doc = {
    swagger: '2.0',
    basePath: '/api/',
    paths: {
      '/store/{hash}': { get: { responses: { 200: ok } } },
      '/store/latest': { get: { responses: { 200: ok } } },
      '/cache/{key}': {
        post: { responses: { 202: ok } },
        get: { responses: { 200: ok, 404: ok, 500: ok, default: ok, 'x-extra': 1, '2XX': ok } },
        delete: { 'x-linkerd-retryable': true, 'x-linkerd-timeout': '30s', responses: { 202: ok } },
        put: { 'x-linkerd-retryable': 'true', 'x-linkerd-timeout': 30, 'X-Linkerd-Retryable': true },
        head: null
      },
      'x-not-a-path': {},
      '/trace': { trace: { responses: { 200: ok } } }
    }
  }
  assert.deepEqual(openApiRoutes(doc), [
    { name: 'DELETE /api/cache/{key}', condition: { pathRegex: '/api/cache/[^/]*', method: 'DELETE' }, responseClasses: [{ condition: { status: { min: 202, max: 202 } } }], isRetryable: true, timeout: '30s' },
    {
      name: 'GET /api/cache/{key}',
      condition: { pathRegex: '/api/cache/[^/]*', method: 'GET' },
      responseClasses: [
        { condition: { status: { min: 200, max: 200 } } },
        { condition: { status: { min: 404, max: 404 } } },
        { condition: { status: { min: 500, max: 500 } }, isFailure: true }
      ]
    },
    { name: 'POST /api/cache/{key}', condition: { pathRegex: '/api/cache/[^/]*', method: 'POST' }, responseClasses: [{ condition: { status: { min: 202, max: 202 } } }] },
    { name: 'PUT /api/cache/{key}', condition: { pathRegex: '/api/cache/[^/]*', method: 'PUT' } },
    { name: 'GET /api/store/latest', condition: { pathRegex: '/api/store/latest', method: 'GET' }, responseClasses: [{ condition: { status: { min: 200, max: 200 } } }] },
    { name: 'GET /api/store/{hash}', condition: { pathRegex: '/api/store/[^/]*', method: 'GET' }, responseClasses: [{ condition: { status: { min: 200, max: 200 } } }] }
  ])
})

test('routes: OpenAPI 3 documents work too, basePath "/" adds nothing, non-object responses are rejected', () => {
  const doc = { openapi: '3.0.1', servers: [{ url: '/ignored' }], paths: { '/books/{id}': { get: { responses: { 200: ok } } } } }
  assert.deepEqual(openApiRoutes(doc).map((r) => r.name), ['GET /books/{id}'])
  assert.deepEqual(openApiRoutes({ basePath: '/', paths: { '/x': { GET: {} } } }), [
    { name: 'GET /x', condition: { pathRegex: '/x', method: 'GET' } }
  ])
  assert.throws(() => openApiRoutes({ paths: { '/x': { get: { responses: { 200: 'OK' } } } } }), /not an object/)
  assert.throws(() => openApiRoutes({ paths: { '/x': { get: 'op' } } }), /Error parsing OpenAPI spec/)
})

/** How the Linkerd proxy picks a route: anchored regex on the path, method equal, first wins. */
function matchRoute (routes: Route[], method: string, path: string): string | undefined {
  return routes.find((r) => r.condition.method === method && new RegExp(`^${r.condition.pathRegex}$`).test(path))?.name
}

test('committed routes.json is what the app\'s swagger.json gives', async (t) => {
  const app = await build(t)
  const res = await app.inject('/swagger.json')
  assert.equal(res.statusCode, 200)
  const committed = await readFile(routesFile, 'utf8')
  assert.equal(committed, formatRoutes(openApiRoutes(res.json())),
    'helm/podinfo/files/routes.json is stale: run npx tsx scripts/service-profile.ts')
})

test('the committed routes match the traffic podinfo\'s own swagger leaves unmatched', async () => {
  const routes = JSON.parse(await readFile(routesFile, 'utf8')) as Route[]
  const traffic: Array<[string, string]> = [
    ['GET', '/echo'], ['POST', '/echo'], ['POST', '/env'], ['POST', '/headers'], ['POST', '/status/201'],
    ['PUT', '/status/201'], ['PUT', '/store'], ['PUT', '/cache/k'], ['GET', '/configs'], ['GET', '/chunked'],
    ['GET', '/swagger.json'], ['GET', '/token/validate'], ['GET', '/ws/echo'],
    ['GET', '/api/info'], ['POST', '/api/echo'], ['GET', '/delay/1'], ['POST', '/token'], ['GET', '/healthz'],
    ['POST', '/readyz/enable'], ['GET', '/cache/k'], ['GET', '/store/0a4d55a8d778e5022fab701977c5d840bbc486d0']
  ]
  const unmatched = traffic.filter(([method, path]) => matchRoute(routes, method, path) === undefined)
  assert.deepEqual(unmatched, [])
  assert.equal(matchRoute(routes, 'GET', '/nope'), undefined)
})
