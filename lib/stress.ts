import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'

/** A busy loop that keeps one core at 100 % for the life of the process (spec §15). */
const BURNER = 'for (;;) {}'

/**
 * `--stress-cpu` and `--stress-memory` (spec §15): N worker threads that spin forever, and
 * M × 10^6 bytes allocated and filled so that every page is resident. Both are started
 * before the listeners and are never stopped.
 */
export function startStress (cpu: number, memoryMb: number, log: Logger): { workers: Worker[], memory: Buffer | null } {
  const workers: Worker[] = []
  if (cpu > 0) {
    log.info({ cores: cpu }, 'starting CPU stress')
    for (let i = 0; i < cpu; i++) {
      const worker = new Worker(BURNER, { eval: true })
      worker.unref() // never keep the process alive on its own
      workers.push(worker)
    }
  }
  let memory: Buffer | null = null
  if (memoryMb > 0) {
    try {
      memory = Buffer.alloc(memoryMb * 1_000_000, 1) // filled: every page touched
      log.info({ memory: memory.length }, 'starting MEMORY stress')
    } catch (err) {
      log.error({ error: (err as Error).message }, 'memory stress failed')
    }
  }
  return { workers, memory }
}
