import { METHODS } from 'node:http'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import AutoLoad from '@fastify/autoload'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { readBody } from './lib/body.js'
import { DropConnectionError, EnvelopeError } from './lib/errors.js'
import { compileGoJson } from './lib/json.js'
import { MuxRules } from './lib/router.js'
import { ServiceState } from './lib/state.js'
import { EnvelopeSchema } from './schemas/common.js'
import type { Config } from './schemas/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    state: ServiceState
    mux: MuxRules
    /** The process environment, as given to the app (spec §6.5). */
    processEnv: Record<string, string | undefined>
  }
  interface FastifyContextConfig {
    /** The handler reads the request body: it arrives in `request.body` as a Buffer (≤ 10 MiB). */
    rawBody?: boolean
    /** podinfo's route name, used as the metrics `path` label instead of the path (spec §8.2). */
    metricsName?: string
    /** podinfo's gorilla/mux template when it differs from the Fastify path (spec §8.2). */
    muxTemplate?: string
  }
}

export interface AppOptions {
  config: Config
  /** Shared with the gRPC health service; a fresh one is made when omitted (tests). */
  state?: ServiceState
  /** The rules object given to Fastify's `rewriteUrl` (see `fastifyOptions`). */
  mux?: MuxRules
  /** How `/panic` ends the process (spec §6.10); tests pass a spy. */
  exit?: (code: number) => void
  /** What `/env` reports: server.ts passes `process.env`. */
  env?: Record<string, string | undefined>
}

const envelope = compileGoJson(EnvelopeSchema)

/**
 * The whole HTTP application as one plugin. It never listens: `server.ts` owns the process,
 * and tests register it on a bare Fastify instance and use `inject`.
 */
export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const mux = opts.mux ?? new MuxRules()
  fastify.decorate('config', opts.config)
  fastify.decorate('state', opts.state ?? new ServiceState())
  fastify.decorate('mux', mux)
  fastify.decorate('processEnv', opts.env ?? {})
  fastify.decorate('exit', opts.exit ?? ((code: number) => process.exit(code)))

  // Node's parser accepts more methods than Fastify routes by default (WebDAV, PURGE, …):
  // podinfo's any-method routes (echo, chunked, metrics, …) answer them all (spec §6.0).
  // CONNECT never reaches a request handler in Node.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !fastify.supportedMethods.includes(method)) fastify.addHttpMethod(method, { hasBody: true })
  }

  // Bodies are raw bytes for every content type and are read only by the handlers that
  // want them (spec §4.4): the parser leaves the stream alone, a preHandler reads it.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, _payload, done) => { done(null) })
  // Go never looks at Content-Type, so a malformed one (Fastify: 415) or a QUERY without
  // one (Fastify: 400) must reach the handler too. Handlers see the original header only
  // through `request.raw.rawHeaders` (as `/headers` does).
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['content-type'] !== undefined || request.method === 'QUERY') {
      request.headers['content-type'] = 'application/octet-stream'
    }
    done()
  })
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) mux.addRoute(method, route.url)
    if (route.config?.rawBody === true) {
      route.preHandler = [readRawBody, ...[route.preHandler ?? []].flat()]
    }
  })

  // podinfo's pretty JSON, compiled from each route's response schema (spec §4.6).
  fastify.setSerializerCompiler(({ schema }) => compileGoJson(schema))
  // The few request schemas (path parameters) are checked by TypeBox's compiler: Fastify's
  // default builds an Ajv instance and compiles its meta-schemas first, which was the
  // largest single cost of startup left, for checks that TypeBox makes the same way.
  fastify.setValidatorCompiler(TypeBoxValidatorCompiler)
  // Callback style: an async hook costs a promise and a microtask turn on every response.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('application/json')) {
      reply.header('x-content-type-options', 'nosniff')
    }
    done(null, payload)
  })

  fastify.setErrorHandler(errorHandler)
  fastify.setNotFoundHandler(notFoundHandler)

  await fastify.register(AutoLoad, {
    dir: join(import.meta.dirname, 'plugins'),
    ignorePattern: /\.d\.ts$|\.map$/
  })
  const prefix = opts.config.prefix === '/' ? '' : opts.config.prefix
  await fastify.register(AutoLoad, {
    dir: join(import.meta.dirname, 'routes'),
    ignorePattern: /\.d\.ts$|\.map$/,
    options: { prefix }
  })
}

/** A preHandler in callback style, as the other per-request hooks: no promise of its own. */
function readRawBody (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  readBody(request.raw).then((body) => {
    request.body = body
    done()
  }, done)
}

function errorHandler (this: FastifyInstance, err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof EnvelopeError) {
    if (err.envelopeCode === 413) {
      reply.header('connection', 'close')
      lingerOnClose(request.raw.socket)
    }
    reply.code(err.httpStatus)
      .type('application/json; charset=utf-8')
      .serializer(envelope)
      .send({ code: err.envelopeCode, message: err.message })
    return
  }
  // Go's net/http answers nothing when a handler panics (spec §4.2): drop the connection.
  if (!(err instanceof DropConnectionError)) request.log.error({ err }, 'unhandled error')
  reply.hijack()
  request.raw.socket?.destroy()
}

/**
 * Go's lingering close after an early answer to an unread body (the 413): send FIN, keep
 * reading and discarding what the client is still sending for up to 500 ms, then close.
 * Closing at once with unread bytes makes the kernel reset the connection, and the client
 * loses the response it has not read yet.
 */
function lingerOnClose (socket: Socket | null): void {
  if (socket === null) return
  socket.destroySoon = () => {
    if (socket.destroyed) return
    socket.end()
    socket.resume()
    const timer = setTimeout(() => socket.destroy(), 500)
    socket.once('end', () => socket.destroy())
    socket.once('close', () => clearTimeout(timer))
  }
}

function notFoundHandler (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
  const location = this.mux.redirectFor(request.raw)
  if (location !== undefined) {
    reply.code(301).header('location', location).send()
    return
  }
  const q = request.url.indexOf('?')
  const path = q === -1 ? request.url : request.url.slice(0, q)
  if (this.mux.otherMethodMatches(request.method, path)) {
    reply.code(405).send()
    return
  }
  reply.code(404)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .send('404 page not found\n')
}
