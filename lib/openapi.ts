import { JSON_MEDIA, NO_RESPONSE, SWAGGER_METHODS, type SwaggerDocument } from './swagger.js'

/**
 * OpenAPI 3.1 from podinfo's Swagger 2.0 document (lib/swagger.ts), so both describe exactly
 * the same routes. Covers what that document uses: `basePath` → `servers`, `definitions` →
 * `components.schemas` (refs rewritten), path parameters → `schema`, `produces` → response
 * `content`, `consumes` → an optional `requestBody` on the methods that carry a body.
 * Schemas pass through unchanged: the ones in the document are valid JSON Schema 2020-12.
 */

type Json = Record<string, unknown>

export interface OpenApiDocument {
  openapi: '3.1.0'
  info: SwaggerDocument['info']
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, Json>>
  components: { schemas: Record<string, unknown> }
}

/** Methods whose requests carry a body in OpenAPI's model. */
const BODY_METHODS = new Set(['put', 'post', 'patch', 'delete'])

function isObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Deep copy with `#/definitions/X` refs pointing at `#/components/schemas/X`. */
function rewriteRefs (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (!isObject(value)) return value
  const out: Json = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string'
      ? v.replace(/^#\/definitions\//, '#/components/schemas/')
      : rewriteRefs(v)
  }
  return out
}

function parameter (p: Json): Json {
  const { name, in: where, required, description, type, ...rest } = p
  const schema: Json = { type, ...rest }
  const out: Json = { name, in: where }
  if (description !== undefined) out.description = description
  if (required !== undefined) out.required = required
  out.schema = rewriteRefs(schema)
  return out
}

function operation (method: string, op: Json): Json {
  const out: Json = {}
  if (op.tags !== undefined) out.tags = op.tags
  if (op.summary !== undefined) out.summary = op.summary
  if (op.description !== undefined) out.description = op.description
  if (Array.isArray(op.parameters) && op.parameters.length > 0) {
    out.parameters = op.parameters.filter(isObject).map(parameter)
  }
  const consumes = Array.isArray(op.consumes) ? op.consumes as string[] : []
  if (BODY_METHODS.has(method) && consumes.length > 0) {
    out.requestBody = { required: false, content: Object.fromEntries(consumes.map((type) => [type, {}])) }
  }
  const produces = Array.isArray(op.produces) && op.produces.length > 0 ? op.produces as string[] : [JSON_MEDIA]
  const responses: Json = {}
  for (const [code, response] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    if (!isObject(response)) continue
    const r: Json = { description: response.description ?? '' }
    if (response.schema !== undefined) {
      const schema = rewriteRefs(response.schema)
      r.content = Object.fromEntries(produces.map((type) => [type, { schema }]))
    }
    if (response.headers !== undefined) r.headers = response.headers
    responses[code] = r
  }
  out.responses = Object.keys(responses).length > 0 ? responses : { default: { description: NO_RESPONSE } }
  return out
}

/** The OpenAPI 3.1 form of a podinfo Swagger 2.0 document. */
export function toOpenApi31 (doc: SwaggerDocument): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = {}
  for (const [path, item] of Object.entries(doc.paths)) {
    const target: Record<string, Json> = {}
    for (const method of SWAGGER_METHODS) {
      const op = item[method]
      if (isObject(op)) target[method] = operation(method, op)
    }
    paths[path] = target
  }
  return {
    openapi: '3.1.0',
    info: doc.info,
    servers: [{ url: doc.basePath }],
    paths,
    components: { schemas: rewriteRefs(doc.definitions) as Record<string, unknown> }
  }
}
