import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

declare module 'fastify' {
  interface FastifyInstance {
    /** Ends the process at once with this code (spec §6.10); tests replace it. */
    exit: (code: number) => void
  }
}

/** `GET {P}/panic` (spec §6.10): logs, then exits with 255 without answering. */
const panic: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/panic', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Panic',
      description: 'crashes the process with exit code 255',
      consumes: [],
      produces: [],
      response: {}
    }
  }, async (request, reply) => {
    request.log.info('Panic command received')
    reply.hijack()
    app.exit(255)
  })
}

export default panic
