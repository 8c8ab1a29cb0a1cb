import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import fp from 'fastify-plugin'

/** Registered by server.ts only: tests and embedders do not get process signal handlers. */
export const autoload = false

/** What else the process runs that must be drained, in podinfo's order (spec §14). */
export interface ShutdownOptions {
  /** Extra HTTP listeners serving the same app (HTTPS, h2c sessions). */
  servers?: Array<{ close: (callback: () => void) => unknown, closeAllConnections?: () => void }>
  /** gRPC: graceful stop, and a hard stop once the deadline has passed. */
  grpc?: { shutdown: () => Promise<void>, forceShutdown: () => void } | null
  /** Flushes telemetry exporters before the listeners close. */
  flush?: () => Promise<void>
}

/** close-with-grace hooks many signals; podinfo reacts to SIGTERM and SIGINT only. */
const OTHER_SIGNALS: closeWithGrace.AllEvents[] = ['SIGHUP', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGUSR2']
/** podinfo keeps serving for 3 s after the signal so load balancers can notice (spec §14). */
const PAUSE_MS = 3000

/**
 * podinfo's graceful shutdown (spec §14), on close-with-grace. On the first SIGTERM/SIGINT:
 * probes answer 503 at once; every listener keeps serving for 3 s (skipped at `--level
 * debug`); then gRPC stops gracefully and HTTP stops accepting and drains, both bounded by
 * `--server-shutdown-timeout` counted from the signal; then exit 0, even when draining ran
 * out of time. A second signal exits 1 at once.
 */
export default fp<ShutdownOptions>(async function shutdown (app, opts) {
  const { config, state, log } = app
  const timeout = config.serverShutdownTimeout

  async function drain (signal: string | undefined): Promise<void> {
    const deadline = Date.now() + timeout
    state.shuttingDown = true
    state.setHealthy(false)
    state.setReady(false)
    log.info({ timeout: timeout / 1000, signal }, 'Shutting down HTTP/HTTPS server')
    if (config.level !== 'debug') await sleep(Math.min(PAUSE_MS, Math.max(0, deadline - Date.now())))
    if (opts.flush !== undefined) await withDeadline(opts.flush(), deadline)

    if (opts.grpc != null) {
      log.info({ timeout: timeout / 1000 }, 'Shutting down GRPC server')
      if (!await withDeadline(opts.grpc.shutdown(), deadline)) opts.grpc.forceShutdown()
    }

    const closing = Promise.all([
      app.close(),
      ...(opts.servers ?? []).map((server) => new Promise<void>((resolve) => { server.close(() => resolve()) }))
    ])
    if (!await withDeadline(closing, deadline)) {
      log.warn({ error: 'context deadline exceeded' }, 'HTTP server graceful shutdown failed')
      app.server.closeAllConnections()
      for (const server of opts.servers ?? []) server.closeAllConnections?.()
    }
  }

  closeWithGrace({
    // A safety net only: drain() is bounded by the deadline and resolves well before this.
    delay: timeout + PAUSE_MS + 2000,
    skip: OTHER_SIGNALS,
    logger: false,
    onSecondSignal: (signal) => { log.warn({ signal }, 'second signal received, exiting') },
    onSecondError: (err) => { log.error({ err }, 'error during shutdown, exiting') },
    onTimeout: () => { log.error('shutdown did not finish in time, exiting') }
  }, async ({ signal, err }) => {
    if (err !== undefined) log.error({ err }, 'shutting down after an uncaught error')
    await drain(signal)
  })
}, { name: 'shutdown' })

/** Waits for `work` until `deadline` (epoch ms); true when it finished in time. */
async function withDeadline (work: Promise<unknown>, deadline: number): Promise<boolean> {
  const remaining = deadline - Date.now()
  if (remaining <= 0) return false
  const timer = new AbortController()
  const late = sleep(remaining, false, { signal: timer.signal }).catch(() => false)
  const done = work.then(() => true, () => true)
  const result = await Promise.race([done, late])
  timer.abort()
  return result
}
