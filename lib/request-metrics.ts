/** podinfo's histogram buckets (spec §8.1). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The series of one method, path and status: where a served request is counted. */
export interface RequestSeries {
  readonly method: string
  readonly status: number
  /** Counts one request that took `seconds`. */
  record: (seconds: number) => void
}

interface DurationCell {
  /** `method="GET",path="version",status="200"`, escaped as prom-client escapes label values. */
  labels: string
  /** The start of each bucket line, up to the value: `…_bucket{method="GET",…,le="0.005"} `. */
  bucketLines: string[]
  /** Per-bucket counts (not cumulative); the last slot is above every bound. */
  buckets: Float64Array
  sum: number
  count: number
}

const DURATION_HEAD = '# HELP http_request_duration_seconds Seconds spent serving HTTP requests.\n# TYPE http_request_duration_seconds histogram'
const TOTAL_HEAD = '# HELP http_requests_total The total number of HTTP requests.\n# TYPE http_requests_total counter'

/**
 * podinfo's two request series (spec §8.1), `http_request_duration_seconds{method,path,status}`
 * and `http_requests_total{status}`, rendered in the text exposition format exactly as
 * prom-client renders its own Histogram and Counter (with the `le` label last, as Go's client
 * writes it).
 *
 * prom-client builds and hashes the label set on every observation, which cost more than all
 * of Fastify's routing for a small response; and rendering through its registry builds an
 * object per line on every scrape (under a scrape load those objects were most of what
 * outlived a young-generation GC, and the old space grew by megabytes a second). Here a route
 * keeps the `RequestSeries` of its method and status, recording a request is a bucket search
 * and three additions, and a rendering joins lines whose label part was written once, when the
 * series was first used.
 */
export class RequestMetrics {
  readonly #durations = new Map<string, DurationCell>()
  readonly #totals = new Map<string, { value: number }>()

  /** The series a request of this method and status on the route labelled `path` is counted in. */
  series (method: string, path: string, status: number): RequestSeries {
    const code = String(status)
    const key = `${method} ${code} ${path}`
    let cell = this.#durations.get(key)
    if (cell === undefined) {
      const labels = `method="${labelValue(method)}",path="${labelValue(path)}",status="${code}"`
      const bucketLines = [...BUCKETS.map(String), '+Inf'].map((le) => `http_request_duration_seconds_bucket{${labels},le="${le}"} `)
      cell = { labels, bucketLines, buckets: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 }
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

  /** Both series in the text exposition format, as a prom-client registry holding only them renders them. */
  text (): string {
    let text = DURATION_HEAD
    for (const cell of this.#durations.values()) {
      let cumulative = 0
      for (let i = 0; i < cell.bucketLines.length; i++) {
        cumulative += cell.buckets[i] as number
        text += `\n${cell.bucketLines[i] as string}${cumulative}`
      }
      text += `\nhttp_request_duration_seconds_sum{${cell.labels}} ${value(cell.sum)}`
      text += `\nhttp_request_duration_seconds_count{${cell.labels}} ${cell.count}`
    }
    text += '\n\n' + TOTAL_HEAD
    for (const [status, cell] of this.#totals) text += `\nhttp_requests_total{status="${status}"} ${cell.value}`
    return text + '\n'
  }
}

/** A label value as prom-client writes it: backslash, newline and double quote escaped. */
function labelValue (text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

/** A sample value as prom-client writes it (`Nan`, `+Inf`, `-Inf`, or the number). */
function value (n: number): string {
  if (Number.isNaN(n)) return 'Nan'
  if (!Number.isFinite(n)) return n < 0 ? '-Inf' : '+Inf'
  return String(n)
}
