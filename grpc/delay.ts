import { setTimeout as sleep } from 'node:timers/promises'
import type { DelayServiceImplementation } from './gen/delay/delay.js'

/** setTimeout's ceiling: longer waits are slept in pieces. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * `/delay.DelayService/Delay` (spec §11.2): sleeps `seconds`, then answers with that number.
 * A negative value does not sleep. The client's deadline and cancellation are ignored, as
 * in podinfo: the sleep ends only when it is over or when the server is forced to stop
 * (`stopped`).
 */
export function delayService (stopped: AbortSignal): DelayServiceImplementation {
  return {
    async delay ({ seconds }) {
      await sleepFor(goDurationMs(seconds), stopped)
      return { message: seconds }
    }
  }
}

/** `time.Duration(seconds) * time.Second` in milliseconds, int64 overflow included. */
export function goDurationMs (seconds: bigint): number {
  const nanos = BigInt.asIntN(64, seconds * 1_000_000_000n)
  return nanos <= 0n ? 0 : Number(nanos / 1_000_000n)
}

async function sleepFor (ms: number, signal: AbortSignal): Promise<void> {
  let left = ms
  while (left > 0 && !signal.aborted) {
    const step = Math.min(left, MAX_TIMER_MS)
    await sleep(step, undefined, { signal }).catch(() => {})
    left -= step
  }
}
