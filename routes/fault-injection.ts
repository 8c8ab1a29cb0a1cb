import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { FaultInjectionSchema } from '../schemas/probes.js'

/** `{P}/fault_injection/enable|disable|status` (spec §6.9); the middleware is in plugins/middleware.ts. */
const faultInjection: FastifyPluginAsyncTypebox = async (app) => {
  const status = (): { fault_injection: 'enabled' | 'disabled' } =>
    ({ fault_injection: app.state.faultInjection ? 'enabled' : 'disabled' })

  app.post('/fault_injection/enable', {
    schema: {
      tags: ['Fault Injection'],
      summary: 'Enable fault injection',
      description: 'makes the server respond with HTTP 500 for all non-probe endpoints',
      response: { 202: FaultInjectionSchema }
    }
  }, async (_request, reply) => {
    app.state.faultInjection = true
    app.log.info('fault injection enabled')
    return reply.code(202).send(status())
  })

  app.post('/fault_injection/disable', {
    schema: {
      tags: ['Fault Injection'],
      summary: 'Disable fault injection',
      description: 'restores normal responses',
      response: { 202: FaultInjectionSchema }
    }
  }, async (_request, reply) => {
    app.state.faultInjection = false
    app.log.info('fault injection disabled')
    return reply.code(202).send(status())
  })

  app.get('/fault_injection/status', {
    schema: {
      tags: ['Fault Injection'],
      summary: 'Get fault injection status',
      response: { 200: FaultInjectionSchema }
    }
  }, async () => status())
}

export default faultInjection
