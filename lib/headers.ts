const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Go's `textproto.CanonicalMIMEHeaderKey`: `x-request-id` → `X-Request-Id`. */
export function canonicalHeader (name: string): string {
  if (!TOKEN.test(name)) return name
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase())
}
