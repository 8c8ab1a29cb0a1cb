/**
 * Startup floor (startup and idle memory only): the packages podinfo-ts is built on, loaded and
 * registered with one route and nothing of podinfo's own: Fastify, env-schema (with a
 * two-field schema), TypeBox with its route validator, @fastify/swagger, @fastify/jwt,
 * fastify-metrics with its default metrics, @fastify/websocket and close-with-grace.
 * bench/run.mjs bundles it the way the production build is bundled, so the difference between
 * this and podinfo-ts is podinfo's own code and configuration; this is the part no change
 * inside the design can remove.
 *   node <bundle of this file> --port 9003
 */
import Fastify from 'fastify'
import envSchema from 'env-schema'
import { Type } from 'typebox'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import swagger from '@fastify/swagger'
import jwt from '@fastify/jwt'
import metrics from 'fastify-metrics'
import websocket from '@fastify/websocket'
import closeWithGrace from 'close-with-grace'
import { OK, JSON_TYPE, portArg } from './bodies.mjs'

const config = envSchema({
  schema: Type.Object({ port: Type.Integer({ default: portArg() }), level: Type.String({ default: 'info' }) }),
  data: {},
  env: false
})
const app = Fastify({ logger: { level: config.level } })
app.setValidatorCompiler(TypeBoxValidatorCompiler)
await app.register(swagger, { swagger: { info: { title: 'floor', version: '0' } } })
await app.register(jwt, { secret: 'floor' })
await app.register(metrics.default, { endpoint: '/metrics' })
await app.register(websocket)
app.get('/readyz', {
  schema: {
    querystring: Type.Object({ probe: Type.Optional(Type.String()) }),
    response: { 200: Type.Object({ status: Type.String() }) }
  }
}, (_request, reply) => { reply.header('content-type', JSON_TYPE).send(OK) })
closeWithGrace(async () => { await app.close() })
await app.listen({ port: config.port, host: '127.0.0.1' })
