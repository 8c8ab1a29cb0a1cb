import { isIPv6 } from 'node:net'

/**
 * Node's network errors in the words Go uses, so podcli's `check failed` lines read like
 * upstream's (`dial tcp 127.0.0.1:1: connect: connection refused`) and always say what
 * failed: the connection, the name lookup, the TLS handshake or the certificate.
 */

export interface NetError extends Error {
  code?: string
  address?: string
  port?: number
  hostname?: string
  reason?: string
}

export function joinHostPort (host: string, port: number | string): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`
}

const UNKNOWN_AUTHORITY = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT'
])

/**
 * Describe a failed connect/handshake/read. `target` is the `host:port` that was dialled,
 * used when the error itself does not carry the resolved address.
 */
export function goNetError (err: NetError, target: string): string {
  const addr = err.address !== undefined && err.port !== undefined ? joinHostPort(err.address, err.port) : target
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`
    case 'EADDRNOTAVAIL': return `dial tcp ${addr}: connect: cannot assign requested address`
    case 'ETIMEDOUT': return `dial tcp ${addr}: i/o timeout`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `dial tcp: lookup ${err.hostname ?? target.replace(/:\d+$/, '')}: no such host`
    case 'ECONNRESET':
      return err.message === 'socket hang up' ? 'EOF' : `read tcp ${target}: read: connection reset by peer`
    case 'EPIPE': return `write tcp ${target}: write: broken pipe`
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid'
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: ${err.reason ?? err.message}`
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return `tls: first record does not look like a TLS handshake (${target})`
  }
  if (err.code !== undefined && UNKNOWN_AUTHORITY.has(err.code)) {
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority'
  }
  if (err.code?.startsWith('ERR_SSL_') === true) return `tls: ${err.message}`
  return err.message
}

/** Go's `net.SplitHostPort` for the forms podcli accepts: `host:port` and `[v6]:port`. */
export function splitHostPort (address: string): { host: string, port: string } {
  const missing = new Error(`address ${address}: missing port in address`)
  if (address.startsWith('[')) {
    const end = address.indexOf(']')
    if (end < 0) throw new Error(`address ${address}: missing ']' in address`)
    if (address[end + 1] !== ':') throw missing
    return { host: address.slice(1, end), port: address.slice(end + 2) }
  }
  const colon = address.lastIndexOf(':')
  if (colon < 0) throw missing
  const host = address.slice(0, colon)
  if (host.includes(':')) throw new Error(`address ${address}: too many colons in address`)
  return { host, port: address.slice(colon + 1) }
}

/** Resolve a service name or number as Go's dialer does (numbers only here, plus a few names). */
export function parsePort (port: string): number {
  const named: Record<string, number> = { http: 80, https: 443, grpc: 50051 }
  if (/^\d+$/.test(port) && Number(port) <= 65535) return Number(port)
  if (named[port] !== undefined) return named[port]
  throw new Error(`lookup tcp/${port}: unknown port`)
}
