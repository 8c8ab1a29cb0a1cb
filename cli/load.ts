import autocannon from 'autocannon'
import { formatGoDuration } from '../lib/duration.js'
import type { CliContext } from './context.js'
import { goNetError, type NetError } from './go-errors.js'

export interface LoadOptions {
  duration: number
  concurrency: number
  rate?: number
  requests?: number
  method: string
  data: string
  header: string[]
  timeout: number
  insecure: boolean
  json: boolean
  maxErrorRate?: number
  maxP99?: number
}

/** Exit code when the run completed but a `--max-*` threshold was exceeded. */
export const THRESHOLD_EXIT = 2

export interface Threshold {
  name: string
  limit: number
  actual: number
  pass: boolean
}

export interface LoadReport {
  url: string
  method: string
  durationSeconds: number
  concurrency: number
  rate: number | null
  requests: { total: number, perSecond: number }
  statusCodes: Record<string, number>
  errors: { total: number, responses: number, connection: number, timeouts: number, rate: number, firstConnectionError: string | null }
  latencyMs: { min: number, mean: number, p50: number, p90: number, p99: number, max: number }
  bytesRead: number
  thresholds: Threshold[]
  pass: boolean
}

/**
 * `podcli load <url>`: drive traffic at a target with autocannon, show a live progress
 * line on stderr, then print a report (or `--json`) on stdout. A request is an error when
 * it gets no response (connection error, timeout) or a status outside 200–399, the same
 * rule `check http` uses. Exit 0 when the run completed and every given threshold holds,
 * 2 when a threshold is exceeded, 1 when not a single response came back.
 */
export async function load (ctx: CliContext, rawUrl: string, opts: LoadOptions): Promise<number> {
  const url = /^https?:\/\//.test(rawUrl) ? rawUrl : `http://${rawUrl}`
  const headers: Record<string, string> = {}
  for (const header of opts.header) {
    const colon = header.indexOf(':')
    if (colon <= 0) throw new Error(`invalid header ${JSON.stringify(header)}: expected "Name: value"`)
    headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim()
  }
  if (opts.data !== '' && headers['content-type'] === undefined && headers['Content-Type'] === undefined) {
    headers['content-type'] = 'application/octet-stream'
  }
  const statusCodes = new Map<number, number>()
  let responses = 0
  let errorResponses = 0
  let connectionErrors = 0
  let timeouts = 0
  let firstConnectionError: string | null = null
  const started = Date.now()
  const target = new URL(url).host

  let finished: (err: unknown, result: autocannon.Result) => void = () => {}
  const outcome = new Promise<autocannon.Result>((resolve, reject) => {
    finished = (err, result) => { if (err !== null && err !== undefined) reject(err); else resolve(result) }
  })
  const instance = autocannon({
    url,
    method: opts.method as autocannon.Request['method'],
    body: opts.data !== '' ? opts.data : undefined,
    headers,
    connections: opts.concurrency,
    duration: opts.duration / 1000,
    amount: opts.requests !== undefined && opts.requests > 0 ? opts.requests : undefined,
    overallRate: opts.rate !== undefined && opts.rate > 0 ? opts.rate : undefined,
    timeout: opts.timeout / 1000,
    tlsOptions: opts.insecure ? { rejectUnauthorized: false } : undefined
  } as autocannon.Options, (err, result) => finished(err, result))

  instance.on('response', (_client: unknown, statusCode: number) => {
    responses++
    statusCodes.set(statusCode, (statusCodes.get(statusCode) ?? 0) + 1)
    if (statusCode < 200 || statusCode >= 400) errorResponses++
  })
  instance.on('reqError', (err: NetError) => {
    connectionErrors++
    if (err.code === 'UND_ERR_CONNECT_TIMEOUT' || /timeout/i.test(err.message)) timeouts++
    firstConnectionError ??= goNetError(err, target)
  })
  let lastAttempts = -1
  const progress = (final: boolean): void => {
    const attempts = responses + connectionErrors
    const elapsed = (Date.now() - started) / 1000
    const rate = attempts === 0 ? 0 : (errorResponses + connectionErrors) / attempts
    const line = `${elapsed.toFixed(0)}s: ${attempts} requests, ${(attempts / Math.max(elapsed, 0.001)).toFixed(1)} req/s, ` +
      `errors ${(rate * 100).toFixed(2)}%`
    if (ctx.stderr.isTTY === true) ctx.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`)
    else if (!final && attempts !== lastAttempts) ctx.stderr.write(line + '\n')
    lastAttempts = attempts
  }
  instance.on('tick', () => progress(false))
  const stop = (): void => { instance.stop() }
  process.once('SIGINT', stop)

  const result = await outcome.finally(() => { process.removeListener('SIGINT', stop) })
  if (ctx.stderr.isTTY === true) progress(true)

  const attempts = responses + connectionErrors
  const errorRate = attempts === 0 ? 1 : (errorResponses + connectionErrors) / attempts
  const latency = {
    min: result.latency.min,
    mean: round(result.latency.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max
  }
  const thresholds: Threshold[] = []
  if (opts.maxErrorRate !== undefined) {
    thresholds.push({ name: 'max-error-rate', limit: opts.maxErrorRate, actual: round(errorRate, 4), pass: errorRate <= opts.maxErrorRate })
  }
  if (opts.maxP99 !== undefined) {
    thresholds.push({ name: 'max-p99', limit: opts.maxP99, actual: latency.p99, pass: responses > 0 && latency.p99 <= opts.maxP99 })
  }
  const report: LoadReport = {
    url,
    method: opts.method,
    durationSeconds: round(result.duration, 3),
    concurrency: opts.concurrency,
    rate: opts.rate !== undefined && opts.rate > 0 ? opts.rate : null,
    requests: { total: attempts, perSecond: round(attempts / Math.max(result.duration, 0.001), 1) },
    statusCodes: Object.fromEntries([...statusCodes].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
    errors: {
      total: errorResponses + connectionErrors,
      responses: errorResponses,
      connection: connectionErrors,
      timeouts,
      rate: round(errorRate, 4),
      firstConnectionError
    },
    latencyMs: latency,
    bytesRead: result.throughput.total,
    thresholds,
    pass: responses > 0 && thresholds.every((t) => t.pass)
  }
  ctx.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : textReport(report))
  if (responses === 0) {
    ctx.log.info('load failed: no responses', { address: url, error: firstConnectionError ?? 'no requests were made' })
    return 1
  }
  return report.pass ? 0 : THRESHOLD_EXIT
}

function round (n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

function ms (value: number): string {
  return formatGoDuration(value)
}

function percent (rate: number): string {
  return `${(rate * 100).toFixed(2)}%`
}

export function textReport (r: LoadReport): string {
  const codes = Object.entries(r.statusCodes).map(([code, n]) => `${code}: ${n}`).join(', ')
  const lines = [
    `Target:       ${r.method} ${r.url}`,
    `Duration:     ${r.durationSeconds}s, concurrency ${r.concurrency}, rate ${r.rate === null ? 'unlimited' : `${r.rate}/s`}`,
    `Requests:     ${r.requests.total} (${r.requests.perSecond}/s), ${r.bytesRead} bytes read`,
    `Status codes: ${codes === '' ? 'none' : codes}`,
    `Errors:       ${r.errors.total} of ${r.requests.total} (${percent(r.errors.rate)}): ` +
      `${r.errors.responses} error responses, ${r.errors.connection} connection errors (${r.errors.timeouts} timeouts)`
  ]
  if (r.errors.firstConnectionError !== null) lines.push(`              first connection error: ${r.errors.firstConnectionError}`)
  const l = r.latencyMs
  lines.push(`Latency:      min ${ms(l.min)}, mean ${ms(l.mean)}, p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`)
  r.thresholds.forEach((t, i) => {
    const label = i === 0 ? 'Thresholds:   ' : '              '
    const text = t.name === 'max-error-rate'
      ? `error rate ${percent(t.actual)} ${t.pass ? '<=' : '>'} ${percent(t.limit)}`
      : `p99 ${ms(t.actual)} ${t.pass ? '<=' : '>'} ${ms(t.limit)}`
    lines.push(`${label}${text}: ${t.pass ? 'pass' : 'FAIL'}`)
  })
  lines.push(`Result:       ${r.pass ? 'PASS' : 'FAIL'}`)
  return lines.join('\n') + '\n'
}
