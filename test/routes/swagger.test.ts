import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { build } from '../helper.js'

const SWAGGER_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']

const INFO = {
  description: 'Go microservice template for Kubernetes.',
  title: 'Podinfo API',
  contact: { name: 'Source Code', url: 'https://github.com/stefanprodan/podinfo' },
  license: { name: 'MIT License', url: 'https://github.com/stefanprodan/podinfo/blob/master/LICENSE' },
  version: '2.0'
}

interface Doc {
  basePath: string
  paths: Record<string, Record<string, Record<string, unknown>>>
  definitions: Record<string, unknown>
  [key: string]: unknown
}

test('GET /swagger.json: podinfo\'s Swagger 2.0 document, formatted as podinfo formats it', async (t) => {
  const app = await build(t)
  const res = await app.inject('/swagger.json')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8') // compat.md §3
  const body = res.body
  assert.ok(body.startsWith('{\n    "schemes": ["http","https"],\n    "swagger": "2.0",\n    "info": {\n        "description": "Go microservice template for Kubernetes.",\n'), body.slice(0, 200))
  assert.ok(body.endsWith('\n}'), 'no trailing newline')
  const doc = JSON.parse(body) as Doc
  assert.deepEqual(Object.keys(doc), ['schemes', 'swagger', 'info', 'host', 'basePath', 'paths', 'definitions'])
  // 4-space indentation everywhere, `schemes` compact
  assert.equal(body, JSON.stringify(doc, null, 4).replace('"schemes": [\n        "http",\n        "https"\n    ]', '"schemes": ["http","https"]'))
  assert.deepEqual(doc.info, INFO)
  assert.equal(JSON.stringify(doc.info), JSON.stringify(INFO), 'info keys in podinfo\'s order')
  assert.equal(doc.host, '')
  assert.equal(doc.basePath, '/')

  const paths = Object.keys(doc.paths)
  assert.deepEqual(paths, [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'paths sorted byte-wise')
  for (const [path, item] of Object.entries(doc.paths)) {
    const methods = Object.keys(item)
    assert.deepEqual(methods, SWAGGER_METHODS.filter((m) => methods.includes(m)), `${path}: methods in go-openapi order`)
  }

  assert.deepEqual(doc.definitions, {
    'http.MapResponse': { type: 'object', additionalProperties: { type: 'string' } },
    'http.RuntimeResponse': {
      type: 'object',
      properties: Object.fromEntries(['color', 'goarch', 'goos', 'hostname', 'logo', 'message', 'num_cpu', 'num_goroutine', 'revision', 'runtime', 'version'].map((k) => [k, { type: 'string' }]))
    },
    'http.TokenResponse': { type: 'object', properties: { expires_at: { type: 'string' }, token: { type: 'string' } } },
    'http.TokenValidationResponse': { type: 'object', properties: { expires_at: { type: 'string' }, token_name: { type: 'string' } } }
  })
  assert.deepEqual(Object.keys(doc.definitions['http.RuntimeResponse'] as object), ['type', 'properties'])
})

test('swagger.json documents podinfo\'s operations with its tags, summaries and shared definitions', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/swagger.json')).json<Doc>()

  assert.equal(JSON.stringify(doc.paths['/api/info']), JSON.stringify({
    get: {
      description: 'returns the runtime information',
      consumes: ['application/json'],
      produces: ['application/json'],
      tags: ['HTTP API'],
      summary: 'Runtime information',
      responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/http.RuntimeResponse' } } }
    }
  }))
  assert.deepEqual(doc.paths['/version']?.get, {
    description: 'returns podinfo version and git commit hash',
    produces: ['application/json'],
    tags: ['HTTP API'],
    summary: 'Version',
    responses: {
      200: {
        description: 'OK',
        schema: { type: 'object', properties: { commit: { type: 'string' }, version: { type: 'string' } }, required: ['commit', 'version'] }
      }
    }
  })
  assert.deepEqual(doc.paths['/panic'], {
    get: { description: 'crashes the process with exit code 255', tags: ['HTTP API'], summary: 'Panic', responses: { default: { description: 'no response' } } }
  })
  assert.deepEqual(doc.paths['/metrics']?.get?.produces, ['text/plain'])
  assert.equal(doc.paths['/metrics']?.get?.consumes, undefined)
  assert.deepEqual(doc.paths['/fault_injection/enable']?.post?.tags, ['Fault Injection'])
  assert.deepEqual(doc.paths['/readyz/enable']?.post?.tags, ['Kubernetes'])
  assert.deepEqual((doc.paths['/api/echo']?.post?.responses as Record<string, unknown>)[202],
    { description: 'Accepted: the request body, byte for byte', schema: { $ref: '#/definitions/http.MapResponse' } })

  // Swagger 2.0 has no status ranges: `2xx` is written `200` and described as the range
  const status = doc.paths['/status/{code}']?.get?.responses as Record<string, { description: string }>
  assert.deepEqual(Object.fromEntries(Object.entries(status).map(([code, r]) => [code, r.description])), {
    100: 'any 1XX status', 101: 'no body', 200: 'any 2XX status', 204: 'no body', 300: 'any 3XX status', 304: 'no body', 400: 'any 4XX status', 500: 'any 5XX status'
  })

  // path parameters: {type, description, name, in, required}
  const delay = doc.paths['/delay/{seconds}']?.get?.parameters as Array<Record<string, unknown>>
  assert.deepEqual(Object.keys(delay[0] as object), ['type', 'pattern', 'description', 'name', 'in', 'required'])
  assert.deepEqual(delay[0], { type: 'string', pattern: '^[0-9]+$', description: 'seconds to wait for', name: 'seconds', in: 'path', required: true })
  // operation keys in podinfo's order
  assert.deepEqual(Object.keys(doc.paths['/delay/{seconds}']?.get as object), ['description', 'consumes', 'produces', 'tags', 'summary', 'parameters', 'responses'])

  // Fastify wildcards are documented as one named parameter
  const echo = doc.paths['/echo/{path}']?.post?.parameters as Array<Record<string, unknown>>
  assert.deepEqual(echo, [{ type: 'string', description: 'the rest of the path', name: 'path', in: 'path', required: true }])
})

test('swagger.json is complete: the real methods, the routes upstream leaves out, every "any method" route', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/swagger.json')).json<Doc>()
  const methods = (path: string): string[] => Object.keys(doc.paths[path] ?? {})
  // podinfo documents POST for these; the server answers GET (compat.md §3)
  assert.deepEqual(methods('/token/validate'), ['get'])
  assert.deepEqual(methods('/env'), ['get', 'post'])
  assert.deepEqual(methods('/headers'), ['get', 'post'])
  assert.deepEqual(methods('/status/{code}'), ['get', 'put', 'post'])
  assert.deepEqual(methods('/configs'), ['get'])
  assert.deepEqual(methods('/openapi.json'), ['get'])
  for (const path of ['/echo', '/echo/{path}', '/api/echo', '/api/echo/{path}', '/chunked', '/chunked/{seconds}', '/metrics', '/swagger.json', '/swagger/{path}']) {
    assert.deepEqual(methods(path), SWAGGER_METHODS, path)
  }
  // Swagger 2.0 has no TRACE or QUERY operation
  for (const item of Object.values(doc.paths)) {
    for (const method of Object.keys(item)) assert.ok(SWAGGER_METHODS.includes(method), method)
  }
})

test('swagger.json is a valid Swagger 2.0 document apart from podinfo\'s "host": ""', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/swagger.json')).json<Doc>()
  const validator = new Validator()
  const result = await validator.validate(structuredClone(doc))
  assert.equal(validator.version, '2.0')
  assert.ok(Array.isArray(result.errors))
  assert.deepEqual(result.errors.map((e) => e.instancePath), ['/host'])
  const { host: _host, ...withoutHost } = doc
  const valid = await new Validator().validate(withoutHost)
  assert.equal(valid.valid, true, JSON.stringify(valid.errors))
})

test('every method of /swagger.json answers the document; it is built once, at ready', async (t) => {
  const app = await build(t)
  const built = app.apiDocs.swaggerJson // available before any request
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const) {
    const res = await app.inject({ method, url: '/swagger.json' })
    assert.equal(res.statusCode, 200, method)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(res.body, method === 'HEAD' ? '' : built, method)
  }
})

test('with --prefix the document has basePath = the prefix and paths without it', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix', '/api/v1'] })
  assert.equal((await app.inject('/swagger.json')).statusCode, 404)
  const res = await app.inject('/api/v1/swagger.json')
  assert.equal(res.statusCode, 200)
  const doc = res.json<Doc>()
  assert.equal(doc.basePath, '/api/v1')
  assert.ok(doc.paths['/api/info'] !== undefined)
  assert.ok(doc.paths['/'] !== undefined)
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/api/v1')))
})

test('/swagger/: 301 to index.html with Go\'s redirect body', async (t) => {
  const app = await build(t)
  const res = await app.inject('/swagger/')
  assert.equal(res.statusCode, 301)
  assert.equal(res.headers.location, '/swagger/index.html')
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  assert.equal(res.body, '<a href="/swagger/index.html">Moved Permanently</a>.\n\n')
  assert.equal((await app.inject('/swagger')).statusCode, 404)
})

test('/swagger/index.html: podinfo\'s Swagger UI page, doc URL escaped as Go\'s template does', async (t) => {
  const app = await build(t)
  const res = await app.inject('/swagger/index.html')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  const page = res.body
  for (const part of [
    '<title>Swagger UI</title>',
    '<div id="swagger-ui"></div>',
    'href="./swagger-ui.css"',
    'href="./favicon-32x32.png"',
    'href="./favicon-16x16.png"',
    '<script src="./swagger-ui-bundle.js"> </script>',
    '<script src="./swagger-ui-standalone-preset.js"> </script>',
    '  const ui = SwaggerUIBundle({\n    url: "\\/swagger\\/doc.json",\n    deepLinking: true,\n    docExpansion: "list",\n    dom_id: "#swagger-ui",\n    persistAuthorization: false,\n    validatorUrl: null,\n',
    '    layout: "StandaloneLayout"\n  })\n'
  ]) assert.ok(page.includes(part), part)
})

test('/swagger/ with --prefix: redirect, page and doc.json carry the prefix', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix', '/api/v1'] })
  const redirect = await app.inject('/api/v1/swagger/')
  assert.equal(redirect.statusCode, 301)
  assert.equal(redirect.headers.location, '/api/v1/swagger/index.html')
  assert.equal(redirect.body, '<a href="/api/v1/swagger/index.html">Moved Permanently</a>.\n\n')
  const page = await app.inject('/api/v1/swagger/index.html')
  assert.ok(page.body.includes('url: "\\/api\\/v1\\/swagger\\/doc.json",'))
  const doc = await app.inject('/api/v1/swagger/doc.json')
  assert.equal(doc.statusCode, 200)
  assert.equal(doc.body, (await app.inject('/api/v1/swagger.json')).body)
  assert.equal((await app.inject('/swagger/index.html')).statusCode, 404)
})

test('/swagger/doc.json: the same document as JSON', async (t) => {
  const app = await build(t)
  const res = await app.inject('/swagger/doc.json')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(res.body, app.apiDocs.swaggerJson)
})

test('/swagger/ assets are @fastify/swagger-ui\'s files with podinfo\'s content types; unknown is 404', async (t) => {
  const app = await build(t)
  const dir = join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static')
  const cases: Array<[string, string]> = [
    ['swagger-ui.css', 'text/css; charset=utf-8'],
    ['swagger-ui-bundle.js', 'application/javascript'],
    ['swagger-ui-standalone-preset.js', 'application/javascript'],
    ['favicon-32x32.png', 'image/png'],
    ['favicon-16x16.png', 'image/png']
  ]
  for (const [name, type] of cases) {
    const res = await app.inject(`/swagger/${name}`)
    assert.equal(res.statusCode, 200, name)
    assert.equal(res.headers['content-type'], type, name)
    assert.ok(res.rawPayload.equals(await readFile(join(dir, name))), name)
  }
  for (const url of ['/swagger/nope.css', '/swagger/csp.json', '/swagger/a/swagger-ui.css']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.body, '404 page not found\n')
  }
})

test('/swagger/**: every method but GET is 405 "Method not allowed"', async (t) => {
  const app = await build(t)
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const) {
    for (const url of ['/swagger/', '/swagger/index.html', '/swagger/doc.json']) {
      const res = await app.inject({ method, url })
      assert.equal(res.statusCode, 405, `${method} ${url}`)
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
      assert.equal(res.headers['x-content-type-options'], 'nosniff')
      if (method !== 'HEAD') assert.equal(res.body, 'Method not allowed\n')
    }
  }
})

test('metrics: the swagger routes have podinfo\'s path labels', async (t) => {
  const app = await build(t)
  await app.inject('/swagger.json')
  await app.inject('/swagger/index.html')
  await app.inject('/openapi.json')
  const metrics = (await app.inject('/metrics')).body
  assert.match(metrics, /http_request_duration_seconds_count\{method="GET",path="swagger_json",status="200"\} 1/)
  assert.match(metrics, /http_request_duration_seconds_count\{method="GET",path="swagger",status="200"\} 1/)
  assert.match(metrics, /http_request_duration_seconds_count\{method="GET",path="openapi_json",status="200"\} 1/)
})
