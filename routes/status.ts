import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EnvelopeError } from '../lib/errors.js'
import { atoi } from '../lib/int64.js'
import { compileGoJson } from '../lib/json.js'
import { EmptySchema } from '../schemas/common.js'
import { CodeParamsSchema, StatusResponseSchema } from '../schemas/status.js'

/**
 * `GET|POST|PUT {P}/status/{code}` (spec §6.11): answers with that status and
 * `{"status": code}`. Codes outside 100–999 get the 400 envelope instead of podinfo's crash
 * (compat.md §2). 1xx other than 101 is sent as an interim response followed by 200, as
 * Go's net/http does; 101, 204 and 304 carry no body.
 */
const status: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: ['GET', 'POST', 'PUT'],
    url: '/status/:code(^\\d+$)',
    config: { metricsName: 'status' },
    schema: {
      tags: ['HTTP API'],
      summary: 'Status code',
      description: 'sets the response status code to the specified code',
      params: CodeParamsSchema,
      response: {
        '1xx': StatusResponseSchema,
        101: EmptySchema,
        '2xx': StatusResponseSchema,
        204: EmptySchema,
        304: EmptySchema,
        '3xx': StatusResponseSchema,
        '4xx': StatusResponseSchema,
        '5xx': StatusResponseSchema
      }
    },
    handler: async (request, reply) => {
      const code = atoi(request.params.code)
      if (code < 100 || code > 999) {
        // the digits as a whole number: a Number prints 2^63-1 rounded (9223372036854776000)
        throw new EnvelopeError(400, `invalid status code ${BigInt(request.params.code)}: must be between 100 and 999`)
      }
      reply.header('content-type', 'application/json; charset=utf-8')
      if (code < 200 && code !== 101) {
        writeInterim(reply.raw, code)
        return reply.code(200).send({ status: code })
      }
      if (code === 101 || code === 204 || code === 304) {
        reply.header('x-content-type-options', 'nosniff')
        return reply.code(code as 204).send() // one of the bodiless codes
      }
      // Go's status line for a code without a name is `status code N` (Node: `unknown`)
      if (STATUS_CODES[code] === undefined) reply.raw.statusMessage = `status code ${code}`
      if (code > 599) {
        // Fastify's reply.code() refuses 600-999, Go sends them (spec §6.11)
        reply.raw.statusCode = code
        return reply.serializer(statusJson).send({ status: code })
      }
      return reply.code(code).send({ status: code })
    }
  })
}

const statusJson = compileGoJson(StatusResponseSchema)

/** An interim 1xx response ahead of the final one, as Go's `WriteHeader(1xx)` sends it. */
function writeInterim (raw: ServerResponse, code: number): void {
  if (raw.headersSent || raw.socket === null) return
  raw.socket.write(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'status code ' + code}\r\n\r\n`)
}

export default status
