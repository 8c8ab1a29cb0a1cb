import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { htmlEscape, indexPage, swaggerUiAssets } from '../lib/swagger-ui.js'
import { ApiDocumentSchema } from '../schemas/swagger.js'

/**
 * The content type of `{P}/swagger.json`. podinfo sends it without one, so Go sniffs
 * `text/plain; charset=utf-8` (spec §6.19); podinfo-ts serves it as JSON (compat.md §3).
 */
export const SWAGGER_JSON_TYPE = 'application/json; charset=utf-8'

const TEXT = 'text/plain; charset=utf-8'

/**
 * Any method on `{P}/swagger.json`: the Swagger 2.0 document (spec §6.19, §18).
 * `{P}/swagger/**`: podinfo's Swagger UI handler — GET only (else 405), `{P}/swagger/` → 301
 * to `index.html`, `index.html` and `doc.json` (the document again) under any directory, and
 * the Swagger UI files of @fastify/swagger-ui directly under `{P}/swagger/`.
 */
const swagger: FastifyPluginAsyncTypebox = async (app) => {
  const base = app.prefix + '/swagger/'
  const index = indexPage(base + 'doc.json')
  const assets = await swaggerUiAssets()

  app.all('/swagger.json', {
    schema: {
      tags: ['Swagger'],
      summary: 'Swagger document',
      description: 'returns this Swagger 2.0 document',
      consumes: [],
      response: { 200: ApiDocumentSchema }
    }
  }, async (_request, reply) => reply.type(SWAGGER_JSON_TYPE).send(app.apiDocs.swaggerJson))

  app.all('/swagger/*', {
    schema: {
      tags: ['Swagger'],
      summary: 'Swagger UI',
      description: 'serves the Swagger UI (index.html), this document (doc.json) and the Swagger UI files; only GET is allowed',
      consumes: [],
      produces: ['text/html', 'application/json', 'text/css', 'application/javascript', 'image/png'],
      response: {
        200: Type.Unsafe<string | Buffer>({ type: 'string', description: 'OK' }),
        301: Type.String({ description: 'Moved Permanently: `{P}/swagger/` redirects to index.html' }),
        404: Type.String({ description: 'Not Found' }),
        405: Type.String({ description: 'Method Not Allowed: only GET is served' })
      }
    }
  }, async (request, reply) => {
    if (request.method !== 'GET') return text(reply, 405, 'Method not allowed\n')
    const rest = (request.params as { '*': string })['*']
    const name = rest.slice(rest.lastIndexOf('/') + 1)
    if (name === 'index.html') return reply.type('text/html; charset=utf-8').send(index)
    if (name === 'doc.json') return reply.type('application/json; charset=utf-8').send(app.apiDocs.swaggerJson)
    if (name === '') {
      const location = base + 'index.html'
      return reply.code(301).header('location', location).type('text/html; charset=utf-8')
        .send(`<a href="${htmlEscape(location)}">Moved Permanently</a>.\n\n`)
    }
    const load = rest === name ? assets.get(name) : undefined
    if (load === undefined) return text(reply, 404, '404 page not found\n')
    const asset = await load()
    return reply.type(asset.type).send(asset.body)
  })
}

function text (reply: FastifyReply, code: number, body: string): FastifyReply {
  return reply.code(code).type(TEXT).header('x-content-type-options', 'nosniff').send(body)
}

export default swagger
