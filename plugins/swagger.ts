import fp from 'fastify-plugin'
import fastifySwagger from '@fastify/swagger'
import { toOpenApi31, type OpenApiDocument } from '../lib/openapi.js'
import { formatDocument, podinfoDocument, SWAGGER_INFO, type SwaggerDocument } from '../lib/swagger.js'
import { SharedDefinitions } from '../schemas/swagger.js'

/** The API documents, computed once, on first use after the app is ready. */
export interface ApiDocs {
  /** podinfo's Swagger 2.0 document (spec §18) as an object. */
  readonly swagger: SwaggerDocument
  /** The same, formatted as podinfo serves it (4-space indentation, no trailing newline). */
  readonly swaggerJson: string
  /** The same routes as OpenAPI 3.1. */
  readonly openapi: OpenApiDocument
  readonly openapiJson: string
}

declare module 'fastify' {
  interface FastifyInstance {
    apiDocs: ApiDocs
  }
}

class Documents implements ApiDocs {
  #source?: () => Record<string, unknown>
  #basePath = '/'
  #swagger?: SwaggerDocument
  #swaggerJson = ''
  #openapi?: OpenApiDocument
  #openapiJson = ''

  /** Called when the app is ready; the documents are built on first use (not at startup). */
  prepare (source: () => Record<string, unknown>, basePath: string): void {
    this.#source = source
    this.#basePath = basePath
  }

  #build (): void {
    if (this.#swagger !== undefined || this.#source === undefined) return
    const swagger = podinfoDocument(this.#source(), { basePath: this.#basePath })
    this.#swaggerJson = formatDocument(swagger)
    this.#openapi = toOpenApi31(swagger)
    this.#openapiJson = formatDocument(this.#openapi)
    this.#swagger = swagger
  }

  get swagger (): SwaggerDocument { this.#build(); return ready(this.#swagger) }
  get swaggerJson (): string { this.#build(); return ready(this.#swagger) && this.#swaggerJson }
  get openapi (): OpenApiDocument { this.#build(); return ready(this.#openapi) }
  get openapiJson (): string { this.#build(); return ready(this.#openapi) && this.#openapiJson }
}

function ready<T> (value: T | undefined): T {
  if (value === undefined) throw new Error('the API documents are built when the app is ready')
  return value
}

/**
 * The Swagger document of every route (spec §18, compat.md §3): @fastify/swagger collects
 * the route schemas; on first use after ready the output is put into podinfo's shape and format once
 * (lib/swagger.ts) and converted to OpenAPI 3.1 (lib/openapi.ts). Nothing is hidden: every
 * method and path the server answers is documented, so `linkerd profile --open-api` gives a
 * route for all traffic. Served by routes/swagger.ts and routes/openapi.ts.
 */
export default fp(async function swagger (app) {
  const basePath = app.config.prefix
  // podinfo's shared definitions: the `$id` becomes the definition name.
  for (const schema of SharedDefinitions) app.addSchema(schema)
  await app.register(fastifySwagger, {
    swagger: {
      info: SWAGGER_INFO,
      schemes: ['http', 'https'],
      basePath
    },
    // Nothing the server answers is hidden (compat.md §3): `hide` in a route schema is ignored.
    // Swagger 2.0 has no status ranges: `2xx` becomes `200`, described as the range.
    transform: ({ schema, url }) => {
      if (schema === undefined) return { schema, url }
      const { hide: _hide, ...shown } = schema
      return { schema: { ...shown, response: describeRanges(shown.response) }, url }
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })

  const docs = new Documents()
  app.decorate('apiDocs', docs)
  // After @fastify/swagger's own onReady hook, which collects the shared schemas. Building
  // the documents takes tens of milliseconds, so it waits for the first request that needs them.
  app.addHook('onReady', async () => {
    docs.prepare(() => app.swagger() as unknown as Record<string, unknown>, basePath)
  })
}, { name: 'swagger' })

/** Response schemas keyed `1xx`…`5xx` get a description saying so, unless they have one. */
function describeRanges (response: unknown): unknown {
  if (typeof response !== 'object' || response === null) return response
  return Object.fromEntries(Object.entries(response).map(([code, schema]) =>
    /^[1-5]xx$/i.test(code) && typeof schema === 'object' && schema !== null && !('description' in schema)
      ? [code, { ...schema, description: `any ${code.toUpperCase()} status` }]
      : [code, schema]))
}
