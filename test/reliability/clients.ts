import { request, type IncomingHttpHeaders } from 'node:http'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** What one HTTP exchange ended with: a response, or the error (an empty reply, a reset). */
export type Outcome = { status: number, body: Buffer, headers: IncomingHttpHeaders, ms: number } | { error: string, ms: number }

/** One request on a fresh connection (no agent), never throwing. */
export async function call (url: string, options: { method?: string, headers?: Record<string, string>, body?: Buffer | string, timeoutMs?: number } = {}): Promise<Outcome> {
  const started = Date.now()
  return await new Promise((resolve) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers, ms: Date.now() - started }))
      res.on('error', (err) => resolve({ error: err.message, ms: Date.now() - started }))
    })
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error('client timeout')))
    req.on('error', (err) => resolve({ error: err.message, ms: Date.now() - started }))
    req.end(options.body)
  })
}

/** The status and text body of an outcome, or the error, for exact assertions. */
export function summary (outcome: Outcome): { status: number, body: string } | { error: string } {
  return 'error' in outcome ? { error: outcome.error } : { status: outcome.status, body: outcome.body.toString() }
}

/** podinfo's error envelope (spec §4.7) as the pretty JSON it sends. */
export function envelope (code: number, message: string): string {
  return `{\n  "code": ${code},\n  "message": ${JSON.stringify(message)}\n}`
}

/** A raw TCP connection that records what the server sent and when it closed. */
export interface RawConnection {
  socket: Socket
  data: () => Buffer
  /** Resolves with the ms from `connect` to the close. */
  closed: Promise<number>
  isClosed: () => boolean
}

export async function rawConnect (port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  let isClosed = false
  const started = Date.now()
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => {})
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => { isClosed = true; resolve(Date.now() - started) })
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return { socket, data: () => Buffer.concat(chunks), closed, isClosed: () => isClosed }
}

/** Writes `text` one byte every `intervalMs` until done or the connection is closed. */
export async function dribble (connection: RawConnection, text: string | Buffer, intervalMs: number): Promise<void> {
  const bytes = Buffer.from(text)
  for (let i = 0; i < bytes.length && !connection.isClosed(); i++) {
    connection.socket.write(bytes.subarray(i, i + 1))
    await sleep(intervalMs)
  }
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function pool<T> (total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(total)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, async () => {
    while (next < total) {
      const i = next++
      results[i] = await task(i)
    }
  }))
  return results
}

/** The server's resident memory in bytes, from its own /metrics. */
export async function residentMemory (url: string): Promise<number> {
  const text = (await (await fetch(url + '/metrics')).text())
  const match = /^process_resident_memory_bytes (\S+)$/m.exec(text)
  if (match === null) throw new Error('process_resident_memory_bytes missing from /metrics')
  return Number(match[1])
}

/** Fails the test when `work` has not settled within `ms` (a hang is a failure, not a stall). */
export async function within<T> (ms: number, what: string, work: Promise<T>): Promise<T> {
  const timer = new AbortController()
  const late = sleep(ms, undefined, { signal: timer.signal }).then(() => { throw new Error(`${what}: not done within ${ms} ms`) })
  try {
    return await Promise.race([work, late])
  } finally {
    timer.abort()
    late.catch(() => {})
  }
}
