import { setTimeout as sleep } from 'node:timers/promises'
import type { Readable } from 'node:stream'
import type { DevLogger, Writer } from './log.js'

/** What a podcli command may touch: its streams and the logger writing to stderr. */
export interface CliContext {
  log: DevLogger
  stdout: Writer & { isTTY?: boolean, hasColors?: () => boolean }
  stderr: Writer & { isTTY?: boolean }
  stdin: Readable
}

export interface RetryOptions {
  retry: number
  delay: number
  /**
   * podinfo's http and tcp checks sleep before every attempt except the second, so even a
   * single attempt waits `delay` first (spec §16, kept on purpose). grpc and ws sleep only
   * between attempts.
   */
  sleepBeforeFirst: boolean
}

/** The outcome of one attempt: done with an exit code, or failed and worth retrying. */
export type Attempt = { exit: number } | { retry: string }

/**
 * Run `attempt` up to `retry + 1` times with podinfo's sleep pattern. When every attempt
 * fails, log one line that says why the last one failed and how many were made, and
 * return exit code 1.
 */
export async function withRetries (ctx: CliContext, opts: RetryOptions, target: string,
  attempt: () => Promise<Attempt>): Promise<number> {
  let last = ''
  for (let n = 0; n <= opts.retry; n++) {
    const sleepNow = opts.sleepBeforeFirst ? n !== 1 : n !== 0
    if (sleepNow && opts.delay > 0) await sleep(opts.delay)
    const result = await attempt()
    if ('exit' in result) return result.exit
    last = result.retry
  }
  const attempts = opts.retry + 1
  ctx.log.info(`giving up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${last}`, { address: target })
  return 1
}
