import { connect } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { TestContext } from 'node:test'

/** One HTTP/1.1 response parsed off a raw socket. */
export interface RawResponse {
  status: number
  statusText: string
  /** Header lines in arrival order, names lower-cased. */
  headers: Array<[string, string]>
  /** The bytes after the header block, undecoded (chunked framing kept). */
  body: Buffer
}

export interface RawResult {
  /** Every byte the server sent. */
  data: Buffer
  /** True when the server closed the connection (false: we stopped waiting). */
  closed: boolean
}

/**
 * Writes `request` verbatim to 127.0.0.1:`port` and collects what comes back until the
 * server closes the connection, `done(data)` says enough, or `timeoutMs` passes.
 */
export async function rawExchange (port: number, request: string | Buffer, options: { timeoutMs?: number, done?: (data: Buffer) => boolean } = {}): Promise<RawResult> {
  const timeoutMs = options.timeoutMs ?? 5000
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let settled = false
    const socket = connect(port, '127.0.0.1')
    const finish = (closed: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ data: Buffer.concat(chunks), closed })
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (options.done?.(Buffer.concat(chunks)) === true) finish(false)
    })
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') finish(true)
      else if (!settled) { settled = true; clearTimeout(timer); reject(err) }
    })
    socket.write(request)
  })
}

/** Splits raw bytes into the responses they hold (interim 1xx responses included). */
export function parseResponses (data: Buffer): RawResponse[] {
  const out: RawResponse[] = []
  let rest = data
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    if (end === -1 || !rest.subarray(0, 5).equals(Buffer.from('HTTP/'))) break
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n')
    const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] as string)
    if (match === null) throw new Error(`bad status line: ${lines[0] ?? ''}`)
    const headers = lines.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
    })
    const status = Number(match[1])
    rest = rest.subarray(end + 4)
    const length = headers.find(([name]) => name === 'content-length')
    let body: Buffer
    if (status < 200) {
      body = Buffer.alloc(0)
    } else if (length !== undefined) {
      body = rest.subarray(0, Number(length[1]))
      rest = rest.subarray(body.length)
    } else {
      body = rest // chunked or close-delimited: everything that is left
      rest = Buffer.alloc(0)
    }
    out.push({ status, statusText: match[2] as string, headers, body })
  }
  return out
}

/** The value of one header (first occurrence), or undefined. */
export function header (response: RawResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n === name)?.[1]
}

/** Header names of a response, sorted, without the ones that vary (Date). */
export function headerNames (response: RawResponse): string[] {
  return response.headers.map(([name]) => name).filter((name) => name !== 'date').sort()
}

/** Decodes a chunked body; throws if the terminating chunk is missing. */
export function dechunk (body: Buffer): Buffer {
  const parts: Buffer[] = []
  let rest = body
  for (;;) {
    const eol = rest.indexOf('\r\n')
    if (eol === -1) throw new Error('truncated chunked body')
    const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16)
    if (Number.isNaN(size)) throw new Error('bad chunk size')
    if (size === 0) return Buffer.concat(parts)
    parts.push(rest.subarray(eol + 2, eol + 2 + size))
    rest = rest.subarray(eol + 2 + size + 2)
  }
}

/** Listens on a free 127.0.0.1 port; returns the port. The app is closed by `build`'s `t.after`. */
export async function listen (_t: TestContext, app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** `GET <path> HTTP/1.1` with `Connection: close`, plus extra header lines. */
export function get (path: string, ...headers: string[]): string {
  return request('GET', path, ...headers)
}

export function request (method: string, path: string, ...headers: string[]): string {
  return [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers, '', ''].join('\r\n')
}

/** The response headers of an `inject` result without the ones that vary (Date, Connection: keep-alive). */
export function fixedHeaders (headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers).sort()) {
    if (name === 'date' || (name === 'connection' && headers[name] === 'keep-alive')) continue
    out[name] = String(headers[name])
  }
  return out
}

/** podinfo's JSON headers (spec conventions) for a body of this many bytes. */
export function jsonHeaders (body: string): Record<string, string> {
  return {
    'content-length': String(Buffer.byteLength(body)),
    'content-type': 'application/json; charset=utf-8',
    'x-content-type-options': 'nosniff'
  }
}

/** podinfo's error envelope body (spec §4.7). */
export function envelope (code: number, message: string): string {
  return `{\n  "code": ${code},\n  "message": ${JSON.stringify(message)}\n}`
}

/** `404 page not found\n` with its headers (spec §4.1). */
export const NOT_FOUND_HEADERS = {
  'content-length': '19',
  'content-type': 'text/plain; charset=utf-8',
  'x-content-type-options': 'nosniff'
}
