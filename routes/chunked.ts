import { randomInt } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { atoiOrUndefined } from '../lib/int64.js'
import { goJson } from '../lib/json.js'
import { sleepSeconds } from '../lib/sleep.js'
import { endObserved } from '../plugins/write-timeout.js'
import { DelayResponseSchema, SecondsParamsSchema } from '../schemas/delay.js'

/**
 * Any method on `{P}/chunked` and `{P}/chunked/{seconds}` (spec §6.17): the status line and
 * headers go out at once, the pretty `{"delay": n}` body after the wait. A body that would
 * finish after `--http-server-timeout` is cut off (Go's write timeout, spec §4.4).
 */
const chunked: FastifyPluginAsyncTypebox = async (app) => {
  const timeout = app.config.httpServerTimeout
  const handler = async (request: FastifyRequest, reply: FastifyReply, given?: string): Promise<void> => {
    let wait = given === undefined ? undefined : atoiOrUndefined(given)
    if (wait === undefined) {
      let max = Math.floor(timeout / 1000)
      if (max <= 11) max = 12
      wait = 10 + randomInt(max - 10)
    }
    reply.hijack()
    const res = reply.raw
    const keepAlive = request.headers.connection?.toLowerCase() !== 'close' && !app.state.shuttingDown
    res.writeHead(200, {
      connection: keepAlive ? 'Keep-Alive' : 'close',
      'x-content-type-options': 'nosniff'
    })
    res.flushHeaders()
    await sleepSeconds(wait)
    if (timeout > 0 && reply.elapsedTime > timeout) {
      // the write deadline passed: the body is never sent, but the request still counts
      // in the metrics, as Go's handler returns normally (spec §8.1)
      endObserved(res)
      return
    }
    res.end(goJson({ delay: wait }))
  }

  const schema = {
    tags: ['HTTP API'],
    summary: 'Chunked transfer encoding',
    description: 'uses transfer-encoding type chunked to give a partial response and then waits for the specified period'
  }
  app.all('/chunked', { schema: { ...schema, response: { 200: DelayResponseSchema } } },
    (request, reply) => handler(request, reply))
  app.all('/chunked/:seconds(^\\d+$)', {
    config: { muxTemplate: '/chunked/{wait:[0-9]+}' },
    schema: { ...schema, params: SecondsParamsSchema, response: { 200: DelayResponseSchema } }
  }, (request, reply) => handler(request, reply, request.params.seconds))
}

export default chunked
