import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { canonicalHeader } from '../lib/headers.js'
import { goBytes } from '../lib/json.js'
import { HeadersResponseSchema } from '../schemas/env.js'

/**
 * `GET|POST {P}/headers` (spec §6.6): every request header under its Go-canonical name, with
 * repeated headers kept as separate values in arrival order, without `Host` and
 * `Transfer-Encoding`, and with the version headers the middleware set (spec §5.4).
 */
const headers: FastifyPluginAsyncTypebox = async (app) => {
  const options = {
    schema: {
      tags: ['HTTP API'],
      summary: 'Headers',
      description: 'returns a JSON object with the request HTTP headers',
      response: { 200: HeadersResponseSchema }
    }
  }
  const handler = async (request: { raw: { rawHeaders: string[] }, headers: Record<string, unknown> }): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {}
    const raw = request.raw.rawHeaders
    for (let i = 0; i < raw.length; i += 2) {
      const name = canonicalHeader(raw[i] as string)
      if (name === 'Host' || name === 'Transfer-Encoding' || name === 'X-Api-Version' || name === 'X-Api-Revision') continue
      const values = out[name] ??= []
      values.push(goBytes(Buffer.from(raw[i + 1] as string, 'latin1'))) // Node reads header bytes as latin1
    }
    out['X-Api-Version'] = [String(request.headers['x-api-version'])]
    out['X-Api-Revision'] = [String(request.headers['x-api-revision'])]
    return out
  }
  app.get('/headers', options, handler)
  app.post('/headers', options, handler)
}

export default headers
