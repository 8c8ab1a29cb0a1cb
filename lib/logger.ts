import { pino, type DestinationStream, type Logger } from 'pino'

/** podinfo's `--level` values mapped to pino's (pino has no `panic`). */
const LEVELS: Record<string, string> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error', fatal: 'fatal', panic: 'fatal' }

/**
 * JSON lines on stderr with podinfo's field names (spec §9.1): `level` as a word, `ts` in
 * ISO-8601 with milliseconds, `msg`. Writes are synchronous so that the last lines before an
 * exit (`/panic`, a second signal) are never lost.
 */
export function createLogger (level: string, destination: DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  return pino({
    level: LEVELS[level] ?? 'info',
    base: undefined,
    messageKey: 'msg',
    timestamp: () => `,"ts":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['jwtSecret', 'config.jwtSecret', 'req.headers.authorization'], censor: '[redacted]' }
  }, destination)
}
