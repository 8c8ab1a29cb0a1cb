import fp from 'fastify-plugin'

/** Where `--cache-server` points, without anything secret in the printable part. */
export interface CacheTarget {
  host: string
  port: number
  username?: string
  password?: string
  db: number
  /** `host:port`, safe to log (no credentials). */
  address: string
}

export interface CacheService {
  /** `host:port` of the server, or the reason the address was refused. */
  readonly address: string
  /** True while connected and ready. */
  readonly online: boolean
  set: (key: string, value: Buffer) => Promise<void>
  del: (key: string) => Promise<void>
  exists: (key: string) => Promise<boolean>
  /** The value, or null when the key vanished between EXISTS and GET. */
  get: (key: string) => Promise<Buffer | null>
  /** podinfo's heartbeat: `SET <hostname> <version> EX 60`. */
  heartbeat: () => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** null when no `--cache-server` is configured (the routes then answer "offline"). */
    cache: CacheService | null
  }
}

/** Bounds that keep a down or black-holed Redis from holding requests (compat.md §3). */
export const CACHE_TIMEOUTS = { connectMs: 2000, commandMs: 2000, maxReconnectDelayMs: 2000, heartbeatMs: 30_000 }

/**
 * Parses podinfo's `--cache-server`: `tcp://host:port`, `redis://[user:pass@]host:port[/db]`,
 * `tcp://:pass@host:port`. The scheme is required (as in podinfo, `host:6379` alone is
 * refused) and otherwise ignored; the port defaults to 6379, the database to 0.
 */
export function parseCacheServer (text: string): CacheTarget | { error: string } {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    return { error: 'cache-server must be a URL such as tcp://host:6379 or redis://user:pass@host:6379/0' }
  }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { error: 'cache-server is not a valid URL' }
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') return { error: 'cache-server has no host' }
  const port = url.port === '' ? 6379 : Number(url.port)
  const path = url.pathname
  if (path !== '' && path !== '/' && !/^\/\d{1,5}$/.test(path)) {
    return { error: 'cache-server database must be a number, as in redis://host:6379/0' }
  }
  const db = path.length > 1 ? Number(path.slice(1)) : 0
  const target: CacheTarget = { host, port, db, address: `${url.hostname}:${port}` }
  if (url.username !== '') target.username = decodeURIComponent(url.username)
  if (url.password !== '') target.password = decodeURIComponent(url.password)
  return target
}

/**
 * The Redis cache behind `/cache/{key}` (spec §6.13, §13), on ioredis directly:
 * @fastify/redis waits for Redis before the app can boot, and podinfo must start and serve
 * while its cache is down.
 *
 * - no offline queue: while disconnected a command fails at once instead of waiting;
 * - one attempt per command, `commandTimeout` for a server that accepts but never answers,
 *   `connectTimeout` for a black-holed host, and no replay of unanswered commands after a
 *   reconnect (a write reported as failed must not land later);
 * - reconnects forever with a capped backoff, so the routes work again by themselves;
 * - podinfo's heartbeat: `SET <hostname> <version> EX 60` when connected and every 30 s,
 *   logging `cache server is offline` when it fails.
 * Credentials in the URL are never logged.
 */
export default fp(async function cache (app) {
  const url = app.config.cacheServer
  if (url === '') {
    app.decorate('cache', null)
    return
  }
  const target = parseCacheServer(url)
  if ('error' in target) {
    app.log.error(`${target.error}: the cache routes will answer as if Redis were down`)
    app.decorate('cache', unusable(target.error))
    return
  }

  // ioredis is loaded only when a cache is configured: it is a large module, and by default
  // there is none, so the server starts sooner and holds less memory without it.
  const { Redis } = await import('ioredis')
  const client = new Redis({
    host: target.host,
    port: target.port,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    db: target.db,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    connectTimeout: CACHE_TIMEOUTS.connectMs,
    commandTimeout: CACHE_TIMEOUTS.commandMs,
    retryStrategy: (times) => Math.min(times * 200, CACHE_TIMEOUTS.maxReconnectDelayMs)
  })

  // Logged: losing the connection (once, not every reconnect attempt), getting it back, and
  // each failed heartbeat, as podinfo does every 30 s while its cache is down.
  let closing = false
  let lost = false
  const offline = (err?: Error): void => {
    if (closing) return
    app.log.warn({ server: target.address, error: err?.message }, 'cache server is offline')
  }
  const { hostname, version } = app.config
  const heartbeat = async (): Promise<void> => {
    await client.set(hostname, version, 'EX', 60)
  }
  const beat = (): void => { heartbeat().catch((err: Error) => offline(err)) }

  client.on('error', (err) => {
    if (lost) return
    lost = true
    offline(err)
  })
  client.on('close', () => {
    if (lost) return
    lost = true
    offline()
  })
  client.on('ready', () => {
    lost = false
    app.log.info({ server: target.address }, 'cache server is online')
    beat()
  })
  const timer = setInterval(beat, CACHE_TIMEOUTS.heartbeatMs)
  timer.unref()
  client.connect().catch(() => {}) // boot even when Redis is down, as podinfo does

  app.decorate('cache', {
    address: target.address,
    get online () { return client.status === 'ready' },
    async set (key, value) { await client.set(key, value) },
    async del (key) { await client.del(key) },
    async exists (key) { return (await client.exists(key)) > 0 },
    async get (key) { return await client.getBuffer(key) },
    heartbeat
  } satisfies CacheService)

  app.addHook('onClose', async () => {
    closing = true
    clearInterval(timer)
    client.disconnect()
  })
}, { name: 'cache' })

/** A configured but unusable cache (bad address): every command fails like a down Redis. */
function unusable (reason: string): CacheService {
  const fail = async (): Promise<never> => { throw new Error(reason) }
  return { address: reason, online: false, set: fail, del: fail, exists: fail, get: fail, heartbeat: fail }
}
