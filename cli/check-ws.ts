import { WebSocket, type RawData } from 'ws'
import { formatGoDurationNs } from '../lib/duration.js'
import { CobraError, type CobraCommand } from './cobra.js'
import { type CliContext, withRetries } from './context.js'
import { goNetError, type NetError } from './go-errors.js'

export interface CheckWsOptions {
  retry: number
  delay: number
  timeout: number
}

/**
 * `podcli check ws <ws[s]://…>` (spec §16): dial with a handshake timeout, send
 * `podinfo-check` and wait for one message of any kind.
 */
export async function checkWs (ctx: CliContext, cmd: CobraCommand, address: string, opts: CheckWsOptions): Promise<number> {
  if (!address.startsWith('ws://') && !address.startsWith('wss://')) {
    throw new CobraError('address must start with ws:// or wss://', cmd)
  }
  return await withRetries(ctx, { retry: opts.retry, delay: opts.delay, sleepBeforeFirst: false }, address, async () => {
    try {
      const { rtt, size } = await roundTrip(address, opts.timeout)
      ctx.log.info('check succeed', { address, 'round-trip': formatGoDurationNs(rtt), 'response size': size })
      return { exit: 0 }
    } catch (err) {
      const message = (err as Error).message
      ctx.log.info('check failed', { address, error: message })
      return { retry: message }
    }
  })
}

function roundTrip (address: string, timeout: number): Promise<{ rtt: bigint, size: number }> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket
    try {
      ws = new WebSocket(address, { handshakeTimeout: timeout, perMessageDeflate: false, followRedirects: false })
    } catch (err) {
      reject(new Error(`malformed ws or wss URL: ${(err as Error).message}`))
      return
    }
    const url = new URL(address)
    const target = `${url.hostname}:${url.port !== '' ? url.port : (url.protocol === 'wss:' ? '443' : '80')}`
    let start = 0n
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const fail = (message: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      ws.terminate()
      reject(new Error(message))
    }
    ws.on('unexpected-response', (_req, res) => {
      fail(`websocket: bad handshake (HTTP ${res.statusCode ?? 0} ${res.statusMessage ?? ''})`.replace(' )', ')'))
    })
    ws.on('error', (err: NetError) => {
      if (err.message === 'Opening handshake has timed out') fail(`dial tcp ${target}: i/o timeout`)
      else if (err.code !== undefined && !err.code.startsWith('WS_ERR')) fail(goNetError(err, target))
      else fail(`websocket: ${err.message}`)
    })
    ws.on('open', () => {
      start = process.hrtime.bigint()
      ws.send('podinfo-check')
      timer = setTimeout(() => fail(`read tcp ${target}: i/o timeout`), timeout)
    })
    ws.on('message', (data: RawData) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const rtt = process.hrtime.bigint() - start
      ws.close()
      ws.terminate()
      resolve({ rtt, size: byteLength(data) })
    })
    ws.on('close', (code: number, reason: Buffer) => {
      fail(`websocket: close ${code}${reason.length > 0 ? ' ' + reason.toString() : ''}`)
    })
  })
}

export function byteLength (data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, b) => sum + b.length, 0)
  return data instanceof ArrayBuffer ? data.byteLength : data.length
}
