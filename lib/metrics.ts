import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Registry } from 'prom-client'

const gzipAsync = promisify(gzip)

/** podinfo's exposition content type (spec §6.18). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores'

/** What an exposition answer carries. */
export interface ExpositionAnswer {
  body: Buffer | string
  headers: Record<string, string>
}

/** One rendering of the registry, shared by the scrapes that arrived before it began. */
interface Batch {
  text: Promise<string>
  gzip?: Promise<Buffer>
}

/**
 * The text exposition of `registry`, gzip-compressed when the client accepts it (spec
 * §6.18); shared by `{P}/metrics` and the metrics port.
 *
 * Rendering runs every default collector (memory, CPU, file descriptors, event-loop-delay
 * percentiles) and costs far more than serving the result. Scrapes that arrive in the same
 * event-loop turn therefore share one rendering, made on the next turn (`setImmediate`), once
 * all of them have arrived: each answer still reflects every request completed before its
 * scrape arrived, so nothing a scraper can observe changes, and a lone scrape (Prometheus)
 * waits a single loop turn.
 */
export function createExposition (registry: Registry): (acceptEncoding?: string) => Promise<ExpositionAnswer> {
  let open: Batch | undefined
  function batch (): Batch {
    if (open !== undefined) return open
    const text = new Promise<string>((resolve, reject) => {
      setImmediate(() => {
        open = undefined // a scrape arriving from now on gets a fresh rendering
        registry.metrics().then((raw) => { resolve(goLabelOrder(raw)) }, reject)
      })
    })
    open = { text }
    return open
  }
  return async (acceptEncoding?: string): Promise<ExpositionAnswer> => {
    const current = batch()
    if (acceptEncoding !== undefined && /\bgzip\b/.test(acceptEncoding)) {
      current.gzip ??= current.text.then(async (text) => await gzipAsync(text))
      return { body: await current.gzip, headers: { 'content-type': METRICS_CONTENT_TYPE, 'content-encoding': 'gzip' } }
    }
    return { body: await current.text, headers: { 'content-type': METRICS_CONTENT_TYPE } }
  }
}

/**
 * prom-client writes a bucket's `le` label first; Go's client writes it last
 * (`{method="GET",path="api_info",status="200",le="0.005"}`, spec §8.1).
 */
export function goLabelOrder (text: string): string {
  return text.replace(/^(\w+_bucket)\{le="([^"]*)",(.+)\}/gm, '$1{$3,le="$2"}')
}
