import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Registry } from 'prom-client'

const gzipAsync = promisify(gzip)

/** podinfo's exposition content type (spec §6.18). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores'

/** What an exposition answer carries. */
export interface ExpositionAnswer {
  body: Buffer
  headers: Record<string, string>
}

/** One rendering of the registry, shared by the scrapes that arrived before it began. */
interface Batch {
  body: Promise<Buffer>
  gzip?: Promise<Buffer>
}

/** How long a rendering of the runtime series (`process_*`, `nodejs_*`) may be served again. */
export const RUNTIME_MAX_AGE_MS = 100

/**
 * The text exposition: the `runtime` registry (the default `process_*` and `nodejs_*`
 * series), then podinfo's HTTP series as `requests` renders them (lib/request-metrics.ts),
 * gzip-compressed when the client accepts it (spec §6.18); shared by `{P}/metrics` and the
 * metrics port.
 *
 * Rendering runs every default collector (CPU time, memory, open file descriptors from /proc,
 * event-loop-delay percentiles and standard deviation) and costs far more than serving the
 * result. So:
 * - scrapes that arrive in the same event-loop turn share one rendering, made on the next
 *   turn (`setImmediate`), once all of them have arrived: each answer still reflects every
 *   request completed before its scrape arrived, and a lone scrape (Prometheus) waits a
 *   single loop turn. The rendering is encoded to bytes once (or gzip-compressed once) and
 *   every answer sends those bytes: a string body would be copied, with the response head,
 *   into a new string for each answer (10% more CPU per scrape under load, measured);
 * - the runtime series are sampled at most once per `runtimeMaxAgeMs` (100 ms): a scraper
 *   that comes back later always gets fresh values, and scrapes in a tight loop (a load
 *   test on `/metrics`) stop paying for /proc reads and histogram statistics on every
 *   rendering. The request series are rendered anew every time.
 */
export function createExposition (runtime: Registry, requests: () => string, runtimeMaxAgeMs = RUNTIME_MAX_AGE_MS): (acceptEncoding?: string) => Promise<ExpositionAnswer> {
  let runtimeText: Promise<string> | undefined
  let runtimeAt = 0
  function runtimeSeries (): Promise<string> {
    const now = performance.now()
    if (runtimeText === undefined || now - runtimeAt >= runtimeMaxAgeMs) {
      runtimeAt = now
      const text = runtime.metrics().then(goLabelOrder)
      text.catch(() => { if (runtimeText === text) runtimeText = undefined }) // not kept when it failed
      runtimeText = text
    }
    return runtimeText
  }

  let open: Batch | undefined
  function batch (): Batch {
    if (open !== undefined) return open
    const body = new Promise<Buffer>((resolve, reject) => {
      setImmediate(() => {
        open = undefined // a scrape arriving from now on gets a fresh rendering
        // a registry separates metric families with a blank line and ends with a newline
        runtimeSeries().then((runtime) => { resolve(Buffer.from(runtime + '\n' + requests())) }, reject)
      })
    })
    open = { body }
    return open
  }
  return async (acceptEncoding?: string): Promise<ExpositionAnswer> => {
    const current = batch()
    if (acceptEncoding !== undefined && /\bgzip\b/.test(acceptEncoding)) {
      current.gzip ??= current.body.then(async (body) => await gzipAsync(body))
      return { body: await current.gzip, headers: { 'content-type': METRICS_CONTENT_TYPE, 'content-encoding': 'gzip' } }
    }
    return { body: await current.body, headers: { 'content-type': METRICS_CONTENT_TYPE } }
  }
}

/**
 * prom-client writes a bucket's `le` label first; Go's client writes it last
 * (`{method="GET",path="api_info",status="200",le="0.005"}`, spec §8.1).
 */
export function goLabelOrder (text: string): string {
  return text.replace(/^(\w+_bucket)\{le="([^"]*)",(.+)\}/gm, '$1{$3,le="$2"}')
}
