import { posix } from 'node:path'

/**
 * gorilla/mux's path cleaning (spec §4.1): the canonical form of a decoded path, keeping a
 * trailing slash. Returns the path unchanged when it is already clean.
 */
export function cleanPath (path: string): string {
  if (path === '') return '/'
  const rooted = path[0] === '/' ? path : '/' + path
  let clean = posix.normalize(rooted)
  if (clean.startsWith('//')) clean = clean.replace(/^\/+/, '/')
  if (clean !== '/' && clean.endsWith('/') && !rooted.endsWith('/')) clean = clean.slice(0, -1)
  if (rooted.endsWith('/') && !clean.endsWith('/')) clean += '/'
  return clean
}

// Characters Go's url.EscapedPath leaves alone in a path (RFC 3986 pchar plus '/').
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/

/** Percent-encodes a decoded path the way Go's `url.URL.EscapedPath` does. */
export function escapePath (path: string): string {
  let out = ''
  for (const ch of path) {
    if (PATH_SAFE.test(ch)) out += ch
    else for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

/**
 * The Prometheus `path` label of a route (spec §8.2): every run of characters outside
 * [A-Za-z0-9] becomes `_`, trimmed, lower-cased; empty means `root`.
 */
export function pathLabel (template: string): string {
  const label = template.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase()
  return label === '' ? 'root' : label
}

/** A Fastify route URL in gorilla/mux template form: `/chunked/:wait(^\d+$)` → `/chunked/{wait:[0-9]+}`. */
export function muxTemplate (url: string): string {
  return url
    .replace(/:(\w+)\(\^\\d\+\$\)/g, '{$1:[0-9]+}')
    .replace(/:(\w+)/g, '{$1}')
    .replace(/\*$/, '')
}
