import { STATUS_CODES } from 'node:http'

/**
 * podinfo's Swagger 2.0 document (spec §18) from the raw output of @fastify/swagger: the same
 * content, in podinfo's shape and order. Pure functions, no Fastify.
 */

type Json = Record<string, unknown>

/** The operations Swagger 2.0 can express, in the order go-openapi (and podinfo) writes them. */
export const SWAGGER_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const

export const SWAGGER_INFO = {
  description: 'Go microservice template for Kubernetes.',
  title: 'Podinfo API',
  contact: {
    name: 'Source Code',
    url: 'https://github.com/stefanprodan/podinfo'
  },
  license: {
    name: 'MIT License',
    url: 'https://github.com/stefanprodan/podinfo/blob/master/LICENSE'
  },
  version: '2.0'
}

export const JSON_MEDIA = 'application/json'

/** The response of an operation that never answers (`/panic`). */
export const NO_RESPONSE = 'no response'

export interface SwaggerDocument {
  schemes: string[]
  swagger: '2.0'
  info: typeof SWAGGER_INFO
  host: string
  basePath: string
  paths: Record<string, Record<string, Json>>
  definitions: Record<string, Json>
}

/** Name of a Fastify wildcard (`/echo/*`) in the document: `/echo/{path}`. */
export const WILDCARD_PARAM = 'path'

const OPERATION_KEYS = ['description', 'consumes', 'produces', 'tags', 'summary', 'parameters', 'responses']
const PARAMETER_KEYS = ['type', 'format', 'pattern', 'description', 'name', 'in', 'required']

function isObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function byteOrder (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A copy of `obj` with `first` keys in that order, then the others as they were. */
function ordered (obj: Json, first: readonly string[]): Json {
  const out: Json = {}
  for (const key of first) if (obj[key] !== undefined) out[key] = obj[key]
  for (const [key, value] of Object.entries(obj)) if (!(key in out) && value !== undefined) out[key] = value
  return out
}

/**
 * The shape of a schema for comparison with a shared definition: what it says about the
 * data (types, properties, items, maps), not how it describes or orders it.
 */
function shape (schema: unknown): unknown {
  if (!isObject(schema)) return schema
  const out: Json = {}
  if (schema.type !== undefined) out.type = schema.type
  if (schema.$ref !== undefined) out.$ref = schema.$ref
  if (schema.enum !== undefined) out.enum = schema.enum
  if (schema.items !== undefined) out.items = shape(schema.items)
  if (isObject(schema.additionalProperties)) out.additionalProperties = shape(schema.additionalProperties)
  if (isObject(schema.properties)) {
    const props = Object.keys(schema.properties).sort(byteOrder)
    if (props.length > 0) {
      out.properties = Object.fromEntries(props.map((k) => [k, shape((schema.properties as Json)[k])]))
    }
  }
  return out
}

function sameShape (a: unknown, b: unknown): boolean {
  return JSON.stringify(shape(a)) === JSON.stringify(shape(b))
}

/** podinfo writes a map as `{type, additionalProperties}`, an object as `{type, properties}`. */
function cleanSchema (schema: Json): Json {
  const out: Json = { ...schema }
  delete out.description
  delete out.title
  delete out.$id
  if (isObject(out.properties) && Object.keys(out.properties).length === 0) delete out.properties
  if (isObject(out.items)) out.items = cleanSchema(out.items)
  if (isObject(out.additionalProperties)) out.additionalProperties = cleanSchema(out.additionalProperties)
  if (isObject(out.properties)) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, isObject(v) ? cleanSchema(v) : v]))
  }
  return ordered(out, ['type', 'items', 'additionalProperties', 'properties', 'required'])
}

function cleanResponse (code: string, response: Json, definitions: Record<string, Json>): Json {
  let description = typeof response.description === 'string' ? response.description : ''
  if (description === '' || description === 'Default Response') description = STATUS_CODES[code] ?? 'Response'
  const out: Json = { description }
  if (isObject(response.schema)) {
    const shared = Object.keys(definitions).find((name) => sameShape(response.schema, definitions[name]))
    out.schema = shared === undefined ? cleanSchema(response.schema) : { $ref: '#/definitions/' + shared }
  }
  for (const [key, value] of Object.entries(response)) if (!(key in out) && key !== 'schema') out[key] = value
  return out
}

function cleanParameter (parameter: Json): Json {
  const out = { ...parameter }
  if (out.name === '*') {
    out.name = WILDCARD_PARAM
    out.description ??= 'the rest of the path'
  }
  return ordered(out, PARAMETER_KEYS)
}

/** `consumes`/`produces` default to JSON (spec §18); an empty list in the route schema means none. */
function mediaTypes (value: unknown): string[] | undefined {
  if (value === undefined) return [JSON_MEDIA]
  return Array.isArray(value) && value.length > 0 ? value as string[] : undefined
}

function cleanOperation (operation: Json, definitions: Record<string, Json>): Json {
  const out: Json = { ...operation }
  out.consumes = mediaTypes(operation.consumes)
  out.produces = mediaTypes(operation.produces)
  if (Array.isArray(operation.parameters)) {
    out.parameters = operation.parameters.filter(isObject).map(cleanParameter)
  }
  const responses = isObject(operation.responses) ? operation.responses : {}
  out.responses = Object.fromEntries(Object.entries(responses)
    .filter((entry): entry is [string, Json] => isObject(entry[1]))
    .map(([code, response]) => [code, cleanResponse(code, response, definitions)]))
  // Swagger 2.0 requires at least one response (podinfo's `/panic` has `{}`, which is invalid).
  if (Object.keys(out.responses as Json).length === 0) out.responses = { default: { description: NO_RESPONSE } }
  return ordered(out, OPERATION_KEYS)
}

/** The document path of a @fastify/swagger path: `/echo/{*}` → `/echo/{path}`. */
export function documentPath (path: string): string {
  return path.replace(/\{\*\}/g, `{${WILDCARD_PARAM}}`)
}

export interface DocumentOptions {
  /** podinfo's `--prefix`, `/` when none. */
  basePath: string
}

/**
 * podinfo's Swagger 2.0 document from @fastify/swagger's output: top-level keys in podinfo's
 * order, paths sorted byte-wise, operations in go-openapi's method order (methods Swagger 2.0
 * cannot express, such as TRACE or QUERY, are left out), operation keys in podinfo's order,
 * `Default Response` replaced by the status text, and response schemas that have the shape
 * of a shared definition written as a `$ref` to it.
 */
export function podinfoDocument (raw: Json, options: DocumentOptions): SwaggerDocument {
  const rawDefinitions = isObject(raw.definitions) ? raw.definitions : {}
  const definitions: Record<string, Json> = {}
  for (const name of Object.keys(rawDefinitions).sort(byteOrder)) {
    const definition = rawDefinitions[name]
    if (!isObject(definition)) continue
    const clean = cleanSchema(definition)
    delete clean.required // podinfo's definitions list no required fields
    definitions[name] = clean
  }

  const rawPaths = isObject(raw.paths) ? raw.paths : {}
  const paths: Record<string, Record<string, Json>> = {}
  for (const rawPath of Object.keys(rawPaths)) {
    const item = rawPaths[rawPath]
    if (!isObject(item)) continue
    const path = documentPath(rawPath)
    const target = paths[path] ??= {}
    for (const method of SWAGGER_METHODS) {
      const operation = item[method]
      if (isObject(operation)) target[method] = cleanOperation(operation, definitions)
    }
  }
  const sorted: Record<string, Record<string, Json>> = {}
  for (const path of Object.keys(paths).sort(byteOrder)) {
    const item = paths[path] as Record<string, Json>
    if (Object.keys(item).length === 0) continue
    sorted[path] = Object.fromEntries(SWAGGER_METHODS.filter((m) => item[m] !== undefined).map((m) => [m, item[m] as Json]))
  }

  return {
    schemes: ['http', 'https'],
    swagger: '2.0',
    info: SWAGGER_INFO,
    host: '',
    basePath: options.basePath,
    paths: sorted,
    definitions
  }
}

/**
 * podinfo's formatting of an API document: 4-space indentation, top-level keys as given,
 * `schemes` written compactly on one line, no trailing newline.
 */
export function formatDocument (doc: object): string {
  const entries = Object.entries(doc).filter(([, value]) => value !== undefined)
  if (entries.length === 0) return '{}'
  const lines = entries.map(([key, value]) => {
    const text = key === 'schemes'
      ? JSON.stringify(value)
      : JSON.stringify(value, null, 4).replace(/\n/g, '\n    ')
    return '    ' + JSON.stringify(key) + ': ' + text
  })
  return '{\n' + lines.join(',\n') + '\n}'
}
