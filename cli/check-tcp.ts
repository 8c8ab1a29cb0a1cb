import net from 'node:net'
import { type CliContext, withRetries } from './context.js'
import { goNetError, parsePort, splitHostPort, type NetError } from './go-errors.js'

export interface CheckTcpOptions {
  retry: number
  delay: number
  timeout: number
}

/** `podcli check tcp <host:port>` (spec §16): a TCP connect with a timeout. */
export async function checkTcp (ctx: CliContext, address: string, opts: CheckTcpOptions): Promise<number> {
  return await withRetries(ctx, { retry: opts.retry, delay: opts.delay, sleepBeforeFirst: true }, address, async () => {
    try {
      await dial(address, opts.timeout)
      ctx.log.info('check succeed', { address })
      return { exit: 0 }
    } catch (err) {
      const message = (err as Error).message
      ctx.log.info('check failed', { address, error: message })
      return { retry: message }
    }
  })
}

/** Go's `net.DialTimeout("tcp", address, timeout)`, closing the connection at once. */
export function dial (address: string, timeout: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let host: string
    let port: number
    try {
      const parts = splitHostPort(address)
      host = parts.host === '' ? 'localhost' : parts.host
      port = parsePort(parts.port)
    } catch (err) {
      reject(new Error(`dial tcp: ${(err as Error).message}`))
      return
    }
    const socket = net.connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`dial tcp ${address}: i/o timeout`))
    }, timeout)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve()
    })
    socket.once('error', (err: NetError) => {
      clearTimeout(timer)
      reject(new Error(goNetError(err, address)))
    })
  })
}
