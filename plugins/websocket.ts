import type { Duplex } from 'node:stream'
import fp from 'fastify-plugin'
import fastifyWebsocket from '@fastify/websocket'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'

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
    wsEcho: { timings: WsEchoTimings }
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
 * @fastify/websocket takes over every request that carries `Connection: Upgrade` (it listens to
 * the server's `upgrade` event) and would upgrade-and-close it on any route. podinfo answers
 * such requests normally everywhere but `/ws/echo` — `curl --http2` sends `Upgrade: h2c` on
 * every plain-HTTP request — so routes without a WebSocket handler serve them as plain HTTP
 * (then close the connection, which has left Node's HTTP parser).
 */
export default fp<WebsocketPluginOptions>(async function websocket (app, opts) {
  app.addHook('onRoute', (route) => {
    if (route.wsHandler !== undefined || route.websocket === true) return
    route.preHandler = [serveAsHttp, ...(route.preHandler === undefined ? [] : [route.preHandler].flat())]
  })
  await app.register(fastifyWebsocket, {
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
  })
  app.decorate('wsEcho', { timings: { ...WS_TIMINGS, ...opts.timings } })
}, { name: 'websocket' })

/** An upgrade request on a route without a WebSocket handler: answer it as plain HTTP. */
function serveAsHttp (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (!request.ws) {
    done()
    return
  }
  const raw = request.raw as unknown as Record<symbol, unknown>
  const key = Object.getOwnPropertySymbols(raw).find((s) => s.description === 'ws-socket')
  const socket = key === undefined ? undefined : raw[key] as Duplex | undefined
  if (key !== undefined) Reflect.deleteProperty(raw, key) // @fastify/websocket upgrades when it is there
  request.ws = false
  reply.header('connection', 'close')
  reply.raw.once('finish', () => { socket?.end() })
  done()
}
