import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { atoi } from '../lib/int64.js'
import { sleepSeconds } from '../lib/sleep.js'
import { DelayResponseSchema, SecondsParamsSchema } from '../schemas/delay.js'

/**
 * `GET {P}/delay/{seconds}` (spec §6.7): sleeps, then answers `{"delay": n}`. Not cancelled
 * by a client hang-up, as in podinfo; the write timeout (spec §4.4) still applies.
 */
const delay: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/delay/:seconds(^\\d+$)', {
    config: { metricsName: 'delay' },
    schema: {
      tags: ['HTTP API'],
      summary: 'Delay',
      description: 'waits for the specified period',
      params: SecondsParamsSchema,
      response: { 200: DelayResponseSchema }
    }
  }, async (request) => {
    const seconds = atoi(request.params.seconds)
    await sleepSeconds(seconds)
    return { delay: seconds }
  })
}

export default delay
