import type { Duplex } from 'node:stream'
import fp from 'fastify-plugin'
import type { WebsocketPluginOptions as FastifyWebsocketOptions } from '@fastify/websocket'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocketServer } from 'ws'

/** podinfo's WebSocket session clock (spec §10). Tests shorten it through the plugin options. */
export interface WsEchoTimings {
  /** `{"ts","server"}` status message period. */
  statusMs: number
  /** Server ping period. */
  pingMs: number
  /** The connection is dropped when no pong arrived for this long. */
  readDeadlineMs: number
  /** A single write that takes longer than this ends the session. */
  writeDeadlineMs: number
}

export const WS_TIMINGS: WsEchoTimings = { statusMs: 5_000, pingMs: 30_000, readDeadlineMs: 60_000, writeDeadlineMs: 10_000 }

/** Inbound messages up to 1 MiB; larger ones close the session with 1009 (message too big). */
export const WS_MAX_MESSAGE = 1024 * 1024

/** How long a closing session gets to say goodbye before its socket is cut at shutdown. */
export const WS_CLOSE_GRACE_MS = 250

declare module 'fastify' {
  interface FastifyInstance {
    wsEcho: {
      timings: WsEchoTimings
      /** The ws server behind `/ws/echo`, set when its route plugin registers @fastify/websocket. */
      server?: WebSocketServer
    }
  }
  interface FastifyContextConfig {
    /** The route upgrades to WebSocket: upgrade requests reach @fastify/websocket. */
    websocketRoute?: boolean
  }
}

export interface WebsocketPluginOptions {
  timings?: Partial<WsEchoTimings>
}

/**
 * @fastify/websocket set up as gorilla/websocket behaves in podinfo: no compression, no
 * subprotocol ever selected, no UTF-8 validation of text frames (gorilla does none; the echo
 * turns invalid bytes into U+FFFD), a 1 MiB message cap answered with close 1009 by ws.
 * Open sessions never hold up shutdown: on close each gets a 1001 close frame and its socket
 * is cut shortly after, whether or not the client answers.
 *
 * routes/ws/echo.ts registers @fastify/websocket with these options inside its own plugin:
 * its hooks and handler wrapper then run for `/ws/echo` only, not on every request.
 */
export const WEBSOCKET_OPTIONS: FastifyWebsocketOptions = {
  options: {
    maxPayload: WS_MAX_MESSAGE,
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handleProtocols: () => false,
    clientTracking: true
  },
  preClose (done) {
    const wss = this.websocketServer
    for (const client of wss.clients) {
      client.close(1001, 'server shutting down')
      setTimeout(() => client.terminate(), WS_CLOSE_GRACE_MS).unref()
    }
    wss.close()
    done()
  }
}

/**
 * The WebSocket session settings (`app.wsEcho`), and plain HTTP for upgrade requests
 * everywhere but `/ws/echo`.
 *
 * @fastify/websocket takes over every request that carries `Connection: Upgrade` (it listens to
 * the server's `upgrade` event) and routes it with the socket detached from Node's HTTP
 * parser. podinfo answers such requests normally everywhere but `/ws/echo` — `curl --http2`
 * sends `Upgrade: h2c` on every plain-HTTP request — so on any other route, and when no route
 * matches, the answer says `Connection: close` and the connection closes after it. The check
 * is one header lookup for ordinary requests.
 */
export default fp<WebsocketPluginOptions>(async function websocket (app, opts) {
  app.decorate('wsEcho', { timings: { ...WS_TIMINGS, ...opts.timings } })
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade !== undefined) serveAsHttp(request, reply)
    done()
  })
}, { name: 'websocket' })

/** An upgrade request on a route without a WebSocket handler: answer it as plain HTTP. */
function serveAsHttp (request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw as unknown as Record<symbol, unknown>
  const key = Object.getOwnPropertySymbols(raw).find((s) => s.description === 'ws-socket')
  if (key === undefined || request.routeOptions.config.websocketRoute === true) return
  const socket = raw[key] as Duplex
  Reflect.deleteProperty(raw, key) // nothing may upgrade it now
  reply.header('connection', 'close')
  reply.raw.once('finish', () => { socket.end() })
}
