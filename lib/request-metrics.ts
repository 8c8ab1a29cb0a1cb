import type { Metric, Registry } from 'prom-client'

/** podinfo's histogram buckets (spec §8.1). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** One line of a metric as prom-client's registry renders it. */
interface Value {
  labels: Record<string, string | number>
  value: number
  metricName?: string
}

/** The series of one method, path and status: where a served request is counted. */
export interface RequestSeries {
  readonly method: string
  readonly status: number
  /** Counts one request that took `seconds`. */
  record: (seconds: number) => void
}

interface DurationCell {
  labels: { method: string, path: string, status: string }
  /** Per-bucket counts (not cumulative); the last slot is above every bound. */
  buckets: Float64Array
  sum: number
  count: number
}

/**
 * podinfo's two request series (spec §8.1), `http_request_duration_seconds{method,path,status}`
 * and `http_requests_total{status}`, registered in a prom-client registry and rendered by it
 * exactly as prom-client's own Histogram and Counter are.
 *
 * They are prom-client metrics in all but their bookkeeping: prom-client builds and hashes the
 * label set on every observation, which cost more than all of Fastify's routing for a small
 * response. Here a route keeps the `RequestSeries` of its method and status, and recording a
 * request is a bucket search and three additions.
 */
export class RequestMetrics {
  readonly #durations = new Map<string, DurationCell>()
  readonly #totals = new Map<string, { value: number }>()

  constructor (registry: Registry) {
    const durations = this.#durations
    const totals = this.#totals
    register(registry, {
      name: 'http_request_duration_seconds',
      help: 'Seconds spent serving HTTP requests.',
      type: 'histogram',
      values: () => [...durations.values()].flatMap(histogramValues),
      reset: () => { for (const cell of durations.values()) resetCell(cell) }
    })
    register(registry, {
      name: 'http_requests_total',
      help: 'The total number of HTTP requests.',
      type: 'counter',
      values: () => [...totals].map(([status, cell]) => ({ labels: { status }, value: cell.value })),
      reset: () => { for (const cell of totals.values()) cell.value = 0 }
    })
  }

  /** The series a request of this method and status on the route labelled `path` is counted in. */
  series (method: string, path: string, status: number): RequestSeries {
    const code = String(status)
    const key = `${method} ${code} ${path}`
    let cell = this.#durations.get(key)
    if (cell === undefined) {
      cell = { labels: { method, path, status: code }, buckets: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 }
      this.#durations.set(key, cell)
    }
    let total = this.#totals.get(code)
    if (total === undefined) {
      total = { value: 0 }
      this.#totals.set(code, total)
    }
    const duration = cell
    const counter = total
    return {
      method,
      status,
      record (seconds) {
        let i = 0
        while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++
        duration.buckets[i] = (duration.buckets[i] as number) + 1
        duration.sum += seconds
        duration.count++
        counter.value++
      }
    }
  }
}

/** What a metric of ours tells the registry. */
interface Collector {
  name: string
  help: string
  type: 'histogram' | 'counter'
  values: () => Value[]
  reset: () => void
}

/**
 * Registers a collector as a prom-client metric: the registry takes any object with a name,
 * `get()` and `reset()` (its TypeScript type only names prom-client's own classes).
 */
function register (registry: Registry, collector: Collector): void {
  const { name, help, type, values, reset } = collector
  const metric = { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }), reset }
  registry.registerMetric(metric as unknown as Metric)
}

/** A registry reset zeroes the series; routes keep counting into the same cells. */
function resetCell (cell: DurationCell): void {
  cell.buckets.fill(0)
  cell.sum = 0
  cell.count = 0
}

/** The values prom-client's Histogram reports for one series: cumulative buckets, sum, count. */
function histogramValues (cell: DurationCell): Value[] {
  const values: Value[] = []
  let cumulative = 0
  for (let i = 0; i <= BUCKETS.length; i++) {
    cumulative += cell.buckets[i] as number
    values.push({
      labels: { ...cell.labels, le: i < BUCKETS.length ? BUCKETS[i] as number : '+Inf' },
      value: cumulative,
      metricName: 'http_request_duration_seconds_bucket'
    })
  }
  values.push({ labels: cell.labels, value: cell.sum, metricName: 'http_request_duration_seconds_sum' })
  values.push({ labels: cell.labels, value: cell.count, metricName: 'http_request_duration_seconds_count' })
  return values
}
