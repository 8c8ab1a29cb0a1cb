import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Registry } from 'prom-client'

const gzipAsync = promisify(gzip)

/** podinfo's exposition content type (spec §6.18). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores'

/**
 * The text exposition of a registry, gzip-compressed when the client accepts it (spec
 * §6.18). Shared by `{P}/metrics` and the metrics port.
 */
export async function exposition (registry: Registry, acceptEncoding?: string): Promise<{ body: Buffer | string, headers: Record<string, string> }> {
  const text = goLabelOrder(await registry.metrics())
  if (acceptEncoding !== undefined && /\bgzip\b/.test(acceptEncoding)) {
    return { body: await gzipAsync(text), headers: { 'content-type': METRICS_CONTENT_TYPE, 'content-encoding': 'gzip' } }
  }
  return { body: text, headers: { 'content-type': METRICS_CONTENT_TYPE } }
}

/**
 * prom-client writes a bucket's `le` label first; Go's client writes it last
 * (`{method="GET",path="api_info",status="200",le="0.005"}`, spec §8.1).
 */
export function goLabelOrder (text: string): string {
  return text.replace(/^(\w+_bucket)\{le="([^"]*)",(.+)\}/gm, '$1{$3,le="$2"}')
}
