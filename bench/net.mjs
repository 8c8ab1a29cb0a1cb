/**
 * Loopback helpers shared by the bench scripts (bench/run.mjs, bench/instructions.mjs).
 */
import { request } from 'node:http'
import { createServer } from 'node:net'

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort () {
  return await new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** One request on a new connection; resolves with status 0 when the server does not answer. */
export function get (port, path, method = 'GET', body) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }))
    })
    req.on('error', () => resolve({ status: 0, body: Buffer.alloc(0) }))
    req.end(body)
  })
}
