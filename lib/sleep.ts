import { setTimeout as sleepMs } from 'node:timers/promises'

/** Node's timers fire after 1 ms for delays above 2^31-1 ms, so long sleeps are chained. */
const MAX_TIMER = 2 ** 31 - 1

/** Sleeps `seconds` (never returns early, however large the value). */
export async function sleepSeconds (seconds: number): Promise<void> {
  let remaining = seconds * 1000
  while (remaining > 0) {
    const step = Math.min(remaining, MAX_TIMER)
    await sleepMs(step)
    remaining -= step
  }
}
