import type { ServerResponse } from 'node:http'
import fp from 'fastify-plugin'

/**
 * Go's write timeout (spec §4.4, compat.md §1): a response that would be written after
 * `--http-server-timeout` (counted from the start of the request) is never sent; the
 * handler still runs to completion, then the connection is closed without a status line.
 */
export default fp(async function writeTimeout (app) {
  const timeout = app.config.httpServerTimeout
  if (timeout <= 0) return
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.elapsedTime > timeout) {
      request.log.debug({ uri: request.originalUrl }, 'write timeout exceeded: response dropped')
      reply.hijack()
      endObserved(reply.raw)
      return
    }
    done(null, payload)
  })
}, { name: 'write-timeout' })

/**
 * Closes the connection without sending anything more, yet lets Fastify's onResponse hooks
 * run (they listen for `finish` or `error` on the response), so the request is still
 * observed in the metrics, as podinfo's handler returns normally (spec §8.1).
 */
export function endObserved (res: ServerResponse): void {
  if (res.listenerCount('error') > 0) res.emit('error', new Error('write timeout exceeded: response dropped'))
  res.socket?.destroy()
  res.destroy()
}
