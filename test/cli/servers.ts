import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

/** Small real servers for podcli tests, all on 127.0.0.1 and closed in `t.after`. */

export interface Recorded {
  method: string
  url: string
  body: string
  at: number
}

export async function httpServer (t: TestContext, handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ port: number, requests: Recorded[] }> {
  const requests: Recorded[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, at: Date.now() })
      handler(req, res, body)
    })
  })
  const port = await listen(server)
  t.after(() => { server.closeAllConnections(); server.close() })
  return { port, requests }
}

export function listen (server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))
  })
}

/** A port nothing listens on (bound, then released). */
export async function closedPort (): Promise<number> {
  const server = net.createServer()
  const port = await listen(server)
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface Cert { key: string, cert: string }

/** A self-signed certificate from openssl; `expired` puts NotAfter one day in the past. */
export function selfSigned (t: TestContext, cn: string, opts: { expired?: boolean } = {}): Cert {
  const dir = mkdtempSync(join(tmpdir(), 'podcli-cert-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const key = join(dir, 'key.pem')
  const csr = join(dir, 'req.csr')
  const cert = join(dir, 'cert.pem')
  const quiet = { stdio: 'ignore' } as const
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`], quiet)
  const ext = join(dir, 'ext.cnf')
  writeFileSync(ext, `subjectAltName=DNS:${cn},IP:127.0.0.1\n`)
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', key, '-days', opts.expired === true ? '-1' : '30',
    '-extfile', ext, '-out', cert], quiet)
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') }
}
