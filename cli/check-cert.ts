import net from 'node:net'
import tls from 'node:tls'
import { goQuote } from './cobra.js'
import type { CliContext } from './context.js'
import { goNetError, type NetError } from './go-errors.js'
import { iso8601 } from './log.js'

const DIAL_TIMEOUT = 5000

interface PeerCertificate {
  subject?: Record<string, string | string[]>
  issuer?: Record<string, string | string[]>
  valid_from: string
  valid_to: string
}

/**
 * `podcli check cert <host>` (spec §16): TLS handshake with SNI and no verification, then
 * compare now with the leaf certificate's NotAfter. podinfo always dials port 443 whatever
 * the address says; `port` exists so that the check can be exercised without binding 443.
 */
export async function checkCert (ctx: CliContext, input: string, port = 443): Promise<number> {
  const withScheme = input.startsWith('https://') ? input : `https://${input}`
  let hostname: string
  try {
    hostname = new URL(withScheme).hostname.replace(/^\[|\]$/g, '')
  } catch {
    ctx.log.info('check failed', { address: withScheme, error: `parse ${goQuote(withScheme)}: invalid URL` })
    return 1
  }
  const address = `${hostname}:${port}`
  let cert: PeerCertificate
  try {
    cert = await handshake(hostname, port, address)
  } catch (err) {
    ctx.log.info('check failed', { address, error: (err as Error).message })
    return 1
  }
  const notAfter = new Date(cert.valid_to)
  const notBefore = new Date(cert.valid_from)
  const issuer = commonName(cert.issuer)
  const subject = commonName(cert.subject)
  if (Date.now() > notAfter.getTime()) {
    ctx.log.info('check failed', { address, issuer, subject, expired: iso8601(notAfter) })
    return 1
  }
  ctx.log.info('check succeed', { address, issuer, subject, notAfter: iso8601(notAfter), notBefore: iso8601(notBefore) })
  return 0
}

/** Go's `pkix.Name.CommonName`: the last CN attribute, or empty. */
function commonName (name: Record<string, string | string[]> | undefined): string {
  const cn = name?.CN
  if (Array.isArray(cn)) return cn[cn.length - 1] ?? ''
  return cn ?? ''
}

function handshake (hostname: string, port: number, address: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: hostname,
      port,
      servername: net.isIP(hostname) === 0 ? hostname : undefined,
      rejectUnauthorized: false
    })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`dial tcp ${address}: i/o timeout`))
    }, DIAL_TIMEOUT)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      const cert = socket.getPeerCertificate(false) as unknown as PeerCertificate
      socket.destroy()
      if (cert === null || typeof cert.valid_to !== 'string') reject(new Error('tls: server sent no certificate'))
      else resolve(cert)
    })
    socket.once('error', (err: NetError) => {
      clearTimeout(timer)
      socket.destroy()
      reject(new Error(goNetError(err, address)))
    })
  })
}
