import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import http2, { type Http2SecureServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { Duplex } from 'node:stream'

export type Handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void

const PREFACE = Buffer.from('PRI * HTTP/2.0')

/**
 * `--h2c` (spec §4.8): cleartext HTTP/2 by prior knowledge next to HTTP/1.1 on the same port.
 * The first bytes of each connection decide: the HTTP/2 preface goes to an HTTP/2 session,
 * anything else to the HTTP/1.1 server as usual. (`Upgrade: h2c` is not supported by Node.)
 */
export function enableH2c (server: Server, handler: Handler): Http2Server {
  const h2 = http2.createServer({}, handler)
  const http1 = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => {
    socket.once('data', (chunk: Buffer) => {
      if (chunk.subarray(0, PREFACE.length).equals(PREFACE.subarray(0, Math.min(chunk.length, PREFACE.length)))) {
        h2.emit('connection', replay(socket, chunk))
        return
      }
      socket.pause()
      socket.unshift(chunk)
      for (const listener of http1) listener.call(server, socket)
      socket.resume()
    })
  })
  return h2
}

/** A duplex that yields `first` and then the socket's data (HTTP/2 reads from it in JS). */
function replay (socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read () { socket.resume() },
    write (chunk: Buffer, encoding, callback) { socket.write(chunk, encoding, callback) },
    final (callback) { socket.end(); callback() },
    destroy (err, callback) { socket.destroy(err ?? undefined); callback(err) }
  })
  Object.defineProperties(duplex, {
    remoteAddress: { get: () => socket.remoteAddress },
    remotePort: { get: () => socket.remotePort },
    remoteFamily: { get: () => socket.remoteFamily },
    localAddress: { get: () => socket.localAddress },
    localPort: { get: () => socket.localPort }
  })
  duplex.push(first)
  socket.on('data', (chunk: Buffer) => { if (!duplex.push(chunk)) socket.pause() })
  socket.on('end', () => duplex.push(null))
  socket.on('error', (err) => duplex.destroy(err))
  socket.on('close', () => duplex.destroy())
  return duplex
}

/**
 * The `--secure-port` listener (spec §4.8): TLS with `<cert-path>/tls.crt` and `tls.key`,
 * loaded once, offering `h2` and `http/1.1` through ALPN, serving the same router.
 */
export function createHttpsServer (certPath: string, handler: Handler): Http2SecureServer {
  return http2.createSecureServer({
    cert: readFileSync(join(certPath, 'tls.crt')),
    key: readFileSync(join(certPath, 'tls.key')),
    allowHTTP1: true
  }, handler)
}
