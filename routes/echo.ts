import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { echoRoutes } from '../lib/echo.js'

/** Any method on `{P}/echo` and `{P}/echo/**` (spec §6.4). */
const echo: FastifyPluginAsyncTypebox = async (app) => {
  echoRoutes(app)
}

export default echo
