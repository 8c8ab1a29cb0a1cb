// The Linkerd ServiceProfile generated from our swagger.json (`linkerd profile --open-api`,
// reproduced by lib/linkerd.ts) has exactly one route for every method and path the server
// registers. The routes are collected from the app itself, so new routes are covered.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import FindMyWay from 'find-my-way'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { matchingRoutes, serviceProfileRoutes, type ServiceProfileRoute } from '../../lib/linkerd.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'

/** The methods a Swagger 2.0 document can express (and linkerd turns into routes). */
const SWAGGER_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'])

interface Registered { method: string, url: string }

/** The app as the test helper builds it, plus a record of every route it registers. */
async function buildWithRoutes (t: TestContext, argv: string[] = []): Promise<{ server: FastifyInstance, routes: Registered[] }> {
  const config = loadConfig({}, argv)
  const mux = new MuxRules()
  const server = Fastify({ ...fastifyOptions(config, mux), logger: false })
  const routes: Registered[] = []
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url })
  })
  await server.register(fp(app), { config, mux, env: {}, exit: () => { throw new Error('exit called') } })
  await server.ready()
  t.after(() => server.close())
  return { server, routes }
}

/** A concrete request path for a Fastify route URL: `:p(^\d+$)` → `7`, `:p` → `x`, `*` → `x`. */
function samplePath (url: string): string {
  return url.replace(/:\w+\([^)]*\)/g, '7').replace(/:\w+/g, 'x').replace(/\*$/, 'x')
}

interface Check { method: string, path: string, url: string, matches: ServiceProfileRoute[] }

/**
 * For every registered method Swagger can express, a request path that the route serves
 * (checked with a router of its own) and the profile routes that match it.
 */
function check (registered: Registered[], profile: ServiceProfileRoute[]): Check[] {
  const router = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true })
  for (const { method, url } of registered) {
    if (!router.hasRoute(method as FindMyWay.HTTPMethod, url)) router.on(method as FindMyWay.HTTPMethod, url, () => {}, { url })
  }
  const checks: Check[] = []
  for (const { method, url } of registered) {
    if (!SWAGGER_METHODS.has(method)) continue
    const path = samplePath(url)
    const found = router.find(method as FindMyWay.HTTPMethod, path)
    assert.equal((found?.store as { url?: string } | undefined)?.url, url, `the sample ${path} is served by ${method} ${url}`)
    checks.push({ method, path, url, matches: matchingRoutes(profile, method, path) })
  }
  return checks
}

const describe = (c: Check): string => `${c.method} ${c.path} (${c.url}) → [${c.matches.map((r) => r.name).join(', ')}]`

test('every method+path the server registers is matched by exactly one ServiceProfile route', async (t) => {
  const { server, routes } = await buildWithRoutes(t)
  const doc = (await server.inject('/swagger.json')).json()
  const profile = serviceProfileRoutes(doc)
  const checks = check(routes, profile)
  assert.ok(checks.length >= 100, `${checks.length} method+path pairs checked`)
  const bad = checks.filter((c) => c.matches.length !== 1).map(describe)
  assert.deepEqual(bad, [])
  // the routes upstream's document misses (ops notes §4.4) are among them
  for (const [method, path] of [['GET', '/token/validate'], ['GET', '/swagger.json'], ['PUT', '/store'], ['GET', '/chunked'], ['POST', '/echo']]) {
    assert.ok(checks.some((c) => c.method === method && c.path === path), `${method} ${path} is registered`)
    assert.equal(matchingRoutes(profile, method as string, path as string).length, 1, `${method} ${path}`)
  }
  // and every profile route is for something the server serves
  const served = new Set(checks.map((c) => c.matches[0]?.name))
  assert.deepEqual(profile.map((r) => r.name).filter((name) => !served.has(name)), [])
})

test('with --prefix every route but the bare prefix is matched: swagger paths start with "/"', async (t) => {
  const { server, routes } = await buildWithRoutes(t, ['--prefix', '/api/v1'])
  const doc = (await server.inject('/api/v1/swagger.json')).json()
  const profile = serviceProfileRoutes(doc)
  assert.ok(profile.every((r) => r.condition.pathRegex.startsWith('/api/v1/')))
  const bad = check(routes, profile).filter((c) => c.matches.length !== 1).map(describe)
  // `{P}` itself (podinfo serves both `{P}` and `{P}/`): linkerd joins basePath + "/" + path,
  // so no document path can produce a regex for `/api/v1` without the slash.
  assert.deepEqual(bad, ['GET /api/v1 (/api/v1) → []'])
})

test('the check fails when a route is missing or documented with the wrong method', async (t) => {
  const { server, routes } = await buildWithRoutes(t)
  const doc = (await server.inject('/swagger.json')).json()
  delete doc.paths['/token/validate'].get
  doc.paths['/token/validate'].post = { responses: { 200: { description: 'OK' } } }
  delete doc.paths['/cache/{key}']
  const bad = check(routes, serviceProfileRoutes(doc)).filter((c) => c.matches.length !== 1).map(describe)
  assert.ok(bad.includes('GET /token/validate (/token/validate) → []'), bad.join('\n'))
  assert.ok(bad.some((b) => b.startsWith('DELETE /cache/')), bad.join('\n'))
})
