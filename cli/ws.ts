import readline from 'node:readline'
import { WebSocket, type RawData } from 'ws'
import { CobraError, type CobraCommand } from './cobra.js'
import type { CliContext } from './context.js'
import { goNetError, type NetError } from './go-errors.js'

const CLOSE_NAMES: Record<number, string> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1015: 'TLS handshake error'
}

/** gorilla/websocket's CloseError text. */
export function closeErrorText (code: number, reason: string): string {
  const name = CLOSE_NAMES[code]
  let text = `websocket: close ${code}${name !== undefined ? ` (${name})` : ''}`
  if (reason !== '') text += ': ' + reason
  else if (code === 1006) text += ': unexpected EOF'
  return text
}

/** Hex bytes each followed by a space, as podinfo prints binary messages. */
export function formatHex (data: Buffer): string {
  return data.toString('hex').replace(/(..)/g, '$1 ')
}

/**
 * `podcli ws <address>` (spec §16): an interactive client. Each input line is sent as a
 * text message; each message received is printed (in green on a colour terminal) as
 * `< text`. A read error prints `< <error>` and exits 1; end of input exits 0.
 */
export async function wsClient (ctx: CliContext, cmd: CobraCommand, rawAddress: string | undefined, originFlag: string): Promise<number> {
  if (rawAddress === undefined) throw new CobraError('address is required', cmd)
  const address = /^wss?:\/\//.test(rawAddress) ? rawAddress : `ws://${rawAddress}`
  const origin = originFlag !== '' ? originFlag : address.replace(/^ws/, 'http')
  const colour = ctx.stdout.hasColors?.() === true
  const paint = (text: string): string => colour ? `\x1b[32m${text}\x1b[0m` : text

  return await new Promise<number>((resolve) => {
    let ws: WebSocket
    try {
      ws = new WebSocket(address, { headers: { Origin: origin }, perMessageDeflate: false })
    } catch (err) {
      ctx.log.info('websocket closed', { error: `parse ${JSON.stringify(address)}: ${(err as Error).message}` })
      resolve(0)
      return
    }
    const url = new URL(address)
    const target = `${url.hostname}:${url.port !== '' ? url.port : (url.protocol === 'wss:' ? '443' : '80')}`
    let rl: readline.Interface | undefined
    let done = false
    const finish = (code: number): void => {
      if (done) return
      done = true
      rl?.close()
      ws.terminate()
      resolve(code)
    }
    const print = (text: string, reprompt = true): void => {
      if (ctx.stdout.isTTY === true) ctx.stdout.write('\r\x1b[K')
      ctx.stdout.write(paint(`< ${text}\n`))
      if (reprompt) rl?.prompt(true)
    }

    ws.on('unexpected-response', (_req, res) => {
      ctx.log.info('websocket closed', { error: `websocket: bad handshake (HTTP ${res.statusCode ?? 0})` })
      finish(0)
    })
    ws.on('error', (err: NetError) => {
      if (rl === undefined) {
        ctx.log.info('websocket closed', { error: goNetError(err, target) })
        finish(0)
      } else {
        print(goNetError(err, target), false)
        finish(1)
      }
    })
    ws.on('open', () => {
      rl = readline.createInterface({ input: ctx.stdin, output: ctx.stdout as NodeJS.WritableStream, prompt: '> ', terminal: ctx.stdout.isTTY === true })
      rl.on('line', (line) => { ws.send(line); rl?.prompt() })
      rl.on('close', () => {
        if (done) return
        ctx.log.info('websocket closed', { error: 'EOF' })
        finish(0)
      })
      rl.on('SIGINT', () => {
        ctx.log.info('websocket closed', { error: 'Interrupt' })
        finish(0)
      })
      rl.prompt()
    })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)
      print(isBinary ? formatHex(buf) : buf.toString('utf8'))
    })
    ws.on('close', (code: number, reason: Buffer) => {
      if (done) return
      print(closeErrorText(code, reason.toString()), false)
      finish(1)
    })
  })
}
