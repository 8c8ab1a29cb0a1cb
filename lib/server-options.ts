import { STATUS_CODES, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { LogController, type FastifyHttpOptions } from 'fastify'
import { BODY_LIMIT } from './body.js'
import type { MuxRules } from './router.js'
import type { Config } from '../schemas/config.js'

/**
 * The Fastify options that make its engine behave like podinfo's (spec §4). Used by
 * `server.ts` and by the test helper, so tests exercise the same engine.
 */
export function fastifyOptions (config: Config, mux: MuxRules): FastifyHttpOptions<Server> {
  const timeout = config.httpServerTimeout
  return {
    exposeHeadRoutes: false, // HEAD on a GET route is 405, as in gorilla/mux (spec §4.1)
    rewriteUrl: (req) => mux.rewrite(req),
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 8192 },
    // podinfo logs `request started` at debug only (spec §5.3), never a completion line
    logController: new LogController({ disableRequestLogging: true }),
    // podinfo's log lines carry no request id: request loggers are the root logger.
    childLoggerFactory: (logger) => logger,
    return503OnClosing: false, // keep-alive requests still get answers while draining (spec §14)
    requestTimeout: timeout, // read timeout: the whole request within --http-server-timeout (spec §4.4)
    keepAliveTimeout: 2 * timeout, // idle timeout = 2 × --http-server-timeout
    connectionTimeout: 0,
    http: {
      headersTimeout: timeout,
      maxHeaderSize: 1024 * 1024,
      // Node enforces the header and request timeouts only when it sweeps its connections
      // (every 30 s by default), so a slowloris connection could outlive the timeout by 30 s.
      connectionsCheckingInterval: timeout > 0 ? Math.min(1000, Math.max(50, Math.floor(timeout / 10))) : 30_000
    },
    clientErrorHandler
  }
}

const INVALID_BODY = '{\n  "code": 400,\n  "message": "invalid request body"\n}'

/**
 * Requests the HTTP parser rejects or that run out of time, answered as Go's net/http does
 * (spec §4.2, §4.4) instead of with Fastify's JSON: the read timeout while headers are still
 * arriving (or on an idle connection) closes the connection without a response; the read
 * timeout while a handler reads the body answers the `invalid request body` envelope;
 * malformed requests get Go's plain-text `400 Bad Request`, oversized header blocks `431`.
 */
function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    // The response of a request whose body is being read when the deadline passes.
    const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
    if (res != null && !res.headersSent && socket.writable) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n' +
        `X-Content-Type-Options: nosniff\r\nDate: ${new Date().toUTCString()}\r\n` +
        `Content-Length: ${INVALID_BODY.length}\r\nConnection: close\r\n\r\n${INVALID_BODY}`)
      socket.destroySoon()
      return
    }
    socket.destroy()
    return
  }
  const code = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const text = `${code} ${STATUS_CODES[code] ?? ''}`
  const answer = (): void => {
    if (socket.writable) socket.end(`HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`)
    socket.destroySoon()
  }
  // Garbage after a request whose response is still being written (a pipelined or
  // undeclared body): finish that response first, as Go does, instead of writing the 400
  // into the middle of it.
  const res = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
  if (res != null) { // not yet finished: Node detaches the response on 'finish'
    if (!res.req.complete) {
      // The bad bytes are inside the body of that request (broken chunked framing): its
      // read fails, the handler answers `invalid request body`, then the connection closes.
      if (!res.headersSent) res.setHeader('connection', 'close')
      // (only to a reader: an 'error' nobody listens to would end the process)
      if (res.req.listenerCount('error') > 0) res.req.emit('error', err)
      res.once('finish', () => socket.destroySoon()).once('close', () => socket.destroySoon())
      return
    }
    // (after a `Connection: close` response Go reads nothing more: no 400 either)
    const closing = (): boolean => (res as ServerResponse & { _last?: boolean })._last === true
    res.once('finish', () => { if (closing()) socket.destroySoon(); else answer() })
      .once('close', () => socket.destroySoon())
    return
  }
  answer()
}
