import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ConfigsResponseSchema } from '../schemas/configs.js'

/** `GET {P}/configs` (spec §6.14): the config watcher's files; `{}` when there are none. */
const configs: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/configs', {
    schema: {
      tags: ['HTTP API'],
      summary: 'Config files',
      description: 'returns the files of the config directory (--config-path), kept current across ConfigMap and Secret updates',
      response: { 200: ConfigsResponseSchema }
    }
  }, async () => app.configs.files())
}

export default configs
