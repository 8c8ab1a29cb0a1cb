import { STATUS_CODES } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fastifyWebsocket from '@fastify/websocket'
import type { RawData, WebSocket } from 'ws'
import { goJsonStringFromBytes } from '../../lib/jwt.js'
import { goString } from '../../lib/json.js'
import { rfc3339Nano } from '../../lib/time.js'
import { WEBSOCKET_OPTIONS, type WsEchoTimings } from '../../plugins/websocket.js'

/** Replies queued beyond this pause reading from the client until they drain (backpressure). */
const HIGH_WATER = 1024 * 1024
const LOW_WATER = 256 * 1024

/**
 * `{P}/ws/echo` (spec §10), any method. The handshake is checked in gorilla/websocket's order
 * with its plain-text errors before @fastify/websocket is allowed to upgrade; a session then
 * echoes every message as `{"ts","msg"}\n`, sends `{"ts","server"}\n` every 5 s and a ping
 * every 30 s, and is dropped when no pong came for 60 s.
 */
const echo: FastifyPluginAsyncTypebox = async (app) => {
  // Registered here, not at the root: its hooks and handler wrapper serve these routes only.
  await app.register(fastifyWebsocket, WEBSOCKET_OPTIONS)
  app.wsEcho.server = app.websocketServer
  const { timings } = app.wsEcho
  const hostname = app.config.hostname
  const schema = { tags: ['HTTP API'], summary: 'Echo over websockets', description: 'echos content via websockets' }

  app.route({
    method: 'GET',
    url: '/echo',
    exposeHeadRoute: false, // HEAD is served by the route below, like every other method
    schema,
    config: { websocketRoute: true },
    preHandler: handshake,
    // only reached by a request that looks like an upgrade but was not one (e.g. inject)
    handler: async (_request, reply) => refuse(reply, 400),
    wsHandler: (socket, request) => {
      const started = process.hrtime.bigint()
      session(socket, hostname, timings, request.log)
      socket.once('close', () => { recordSession(app, request, started) })
    }
  })

  app.route({
    method: app.supportedMethods.filter((m) => m !== 'GET'),
    url: '/echo',
    schema: { ...schema, hide: true },
    config: { websocketRoute: true },
    preHandler: handshake,
    handler: async (_request, reply) => refuse(reply, 405)
  })
}

/** gorilla/websocket's Upgrader checks, in its order (spec §10 steps 1–6). */
async function handshake (request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const headers = request.headers
  if (!hasToken(values(headers.connection), 'upgrade')) return refuse(reply, 400)
  if (!hasToken(values(headers.upgrade), 'websocket')) return refuse(reply, 400)
  if (request.method !== 'GET') return refuse(reply, 405)
  if (!hasToken(values(headers['sec-websocket-version']), '13')) return refuse(reply, 400)
  const origin = values(headers.origin)[0]
  if (origin !== undefined && !sameOrigin(origin, headers.host ?? '')) return refuse(reply, 403)
  const key = values(headers['sec-websocket-key'])[0] ?? ''
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return refuse(reply, 400)
}

/**
 * Go's `http.Error` after gorilla sets `Sec-Websocket-Version: 13`. A refused upgrade request
 * has left Node's HTTP parser, so its connection closes after the answer (and says so).
 */
function refuse (reply: FastifyReply, status: number): FastifyReply {
  if (reply.request.ws) reply.header('connection', 'close')
  return reply.code(status)
    .header('sec-websocket-version', '13')
    .header('content-type', 'text/plain; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .send((STATUS_CODES[status] ?? '') + '\n')
}

/** A header's values (Node joins most repeated headers with `, `, which the token split undoes). */
function values (value: string | string[] | number | undefined): string[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [String(value)]
}

/** gorilla's tokenListContainsValue: any comma-separated token equal, ASCII case-insensitively. */
function hasToken (list: string[], token: string): boolean {
  return list.some((value) => value.split(',').some((t) => t.trim().toLowerCase() === token))
}

/** gorilla's checkSameOrigin: the Origin URL's host[:port] equals the request Host. */
function sameOrigin (origin: string, host: string): boolean {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(origin)
  const authority = match === null ? '' : (match[1] as string).replace(/^.*@/, '')
  return authority.toLowerCase() === host.toLowerCase()
}

function session (socket: WebSocket, hostname: string, timings: WsEchoTimings, log: FastifyBaseLogger): void {
  let stopped = false
  const deadline = setTimeout(() => { log.debug('websocket read deadline passed'); stop() }, timings.readDeadlineMs).unref()
  const status = setInterval(() => {
    write('{"ts":' + goString(rfc3339Nano(new Date())) + ',"server":' + goString(hostname) + '}\n')
  }, timings.statusMs).unref()
  const ping = setInterval(() => { if (!stopped) socket.ping() }, timings.pingMs).unref()

  function stop (): void {
    if (stopped) return
    stopped = true
    clearTimeout(deadline)
    clearInterval(status)
    clearInterval(ping)
    socket.terminate()
  }

  function write (text: string): void {
    if (stopped) return
    const timer = setTimeout(() => { log.debug('websocket write deadline passed'); stop() }, timings.writeDeadlineMs).unref()
    socket.send(text, { binary: false }, (err) => {
      clearTimeout(timer)
      if (err !== undefined && err !== null) {
        stop()
        return
      }
      if (socket.isPaused && socket.bufferedAmount < LOW_WATER) socket.resume()
    })
    if (!socket.isPaused && socket.bufferedAmount > HIGH_WATER) socket.pause()
  }

  socket.on('pong', () => { deadline.refresh() })
  socket.on('message', (data: RawData) => {
    write('{"ts":' + goString(rfc3339Nano(new Date())) + ',"msg":' + goJsonStringFromBytes(toBuffer(data)) + '}\n')
  })
  socket.on('close', () => {
    stopped = true
    clearTimeout(deadline)
    clearInterval(status)
    clearInterval(ping)
  })
}

/**
 * podinfo records a WebSocket request when the session ends: status 200, the session's
 * duration (spec §10). Hijacked replies never reach the metrics hooks, so do it here.
 */
function recordSession (app: FastifyInstance, request: FastifyRequest, started: bigint): void {
  if (!app.hasDecorator('observeRequest')) return
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  app.observeRequest(request.method, request.routeOptions.config.pathLabel ?? 'ws_echo', 200, seconds)
}

function toBuffer (data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

export default echo
