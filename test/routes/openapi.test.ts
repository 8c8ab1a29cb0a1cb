import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { serviceProfileRoutes } from '../../lib/linkerd.js'
import { build } from '../helper.js'

type Operation = Record<string, unknown>
interface OpenApi {
  openapi: string
  info: unknown
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown> }
}
interface Swagger {
  info: unknown
  paths: Record<string, Record<string, Operation>>
  definitions: Record<string, unknown>
}

function refs (value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, found)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v)
      else refs(v, found)
    }
  }
  return found
}

test('GET /openapi.json: the same routes as swagger.json, as OpenAPI 3.1', async (t) => {
  const app = await build(t)
  const res = await app.inject('/openapi.json')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  const doc = res.json<OpenApi>()
  assert.equal(res.body, JSON.stringify(doc, null, 4), '4-space indentation, no trailing newline')
  assert.deepEqual(Object.keys(doc), ['openapi', 'info', 'servers', 'paths', 'components'])
  assert.equal(doc.openapi, '3.1.0')
  assert.deepEqual(doc.servers, [{ url: '/' }])

  const swagger = (await app.inject('/swagger.json')).json<Swagger>()
  assert.deepEqual(doc.info, swagger.info)
  assert.deepEqual(Object.keys(doc.paths), Object.keys(swagger.paths))
  for (const [path, item] of Object.entries(swagger.paths)) {
    assert.deepEqual(Object.keys(doc.paths[path] ?? {}), Object.keys(item), path)
  }
  assert.deepEqual(doc.components.schemas, swagger.definitions)
  const all = refs(doc.paths)
  assert.ok(all.length > 0)
  for (const ref of all) {
    assert.match(ref, /^#\/components\/schemas\//)
    assert.ok(doc.components.schemas[ref.slice('#/components/schemas/'.length)] !== undefined, ref)
  }
})

test('openapi.json: parameters carry a schema, responses a content map, bodies a requestBody', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/openapi.json')).json<OpenApi>()
  assert.deepEqual(doc.paths['/delay/{seconds}']?.get, {
    tags: ['HTTP API'],
    summary: 'Delay',
    description: 'waits for the specified period',
    parameters: [{ name: 'seconds', in: 'path', description: 'seconds to wait for', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } }],
    responses: {
      200: {
        description: 'OK',
        content: {
          'application/json': {
            schema: { type: 'object', properties: { delay: { type: 'integer' } }, required: ['delay'] }
          }
        }
      }
    }
  })
  assert.deepEqual(doc.paths['/api/info']?.get?.responses, {
    200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/http.RuntimeResponse' } } } }
  })
  assert.deepEqual(doc.paths['/api/echo']?.post?.requestBody, { required: false, content: { 'application/json': {} } })
  assert.equal(doc.paths['/api/echo']?.get?.requestBody, undefined)
  assert.deepEqual((doc.paths['/metrics']?.get?.responses as Record<string, Operation>)[200]?.content, {
    'text/plain': { schema: { type: 'string' } }
  })
  assert.deepEqual(doc.paths['/panic']?.get?.responses, { default: { description: 'no response' } })
})

test('openapi.json is a valid OpenAPI 3.1 document', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/openapi.json')).json<Record<string, unknown>>()
  const validator = new Validator()
  const result = await validator.validate(doc)
  assert.equal(validator.version, '3.1')
  assert.equal(result.valid, true, JSON.stringify(result.errors))
})

test('openapi.json with --prefix: servers[0].url is the prefix; GET only', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix', '/api/v1'] })
  const res = await app.inject('/api/v1/openapi.json')
  assert.equal(res.statusCode, 200)
  const doc = res.json<OpenApi>()
  assert.deepEqual(doc.servers, [{ url: '/api/v1' }])
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/api/v1')))
  const post = await app.inject({ method: 'POST', url: '/api/v1/openapi.json' })
  assert.equal(post.statusCode, 405)
})

test('linkerd reads openapi.json like swagger.json, but ignores servers: use swagger.json with a prefix', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix', '/api/v1'] })
  const fromOpenApi = serviceProfileRoutes((await app.inject('/api/v1/openapi.json')).json())
  const fromSwagger = serviceProfileRoutes((await app.inject('/api/v1/swagger.json')).json())
  assert.equal(fromOpenApi.length, fromSwagger.length)
  assert.deepEqual(fromOpenApi.map((r) => '/api/v1' + r.name.slice(r.name.indexOf(' ') + 1)),
    fromSwagger.map((r) => r.name.slice(r.name.indexOf(' ') + 1)))
})
