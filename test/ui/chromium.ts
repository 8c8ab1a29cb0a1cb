import { join } from 'node:path'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium'

/** Headless, and nothing that reaches out to the network by itself. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'
]

export const UI_PATH = join(import.meta.dirname, '..', '..', 'ui')

export interface UiOptions {
  /** podinfo's flags (`--ui-path` defaults to the repository's ui/). */
  argv?: string[]
  hostname?: string
  revision?: string
}

/** The real app listening on 127.0.0.1 on a free port, built as the server builds it. */
export async function startUi (options: UiOptions = {}): Promise<{ url: string, close: () => Promise<void> }> {
  const config = loadConfig({}, ['--ui-path', UI_PATH, ...options.argv ?? []], {
    hostname: options.hostname, revision: options.revision
  })
  const mux = new MuxRules()
  const server = Fastify({ ...fastifyOptions(config, mux), logger: false })
  await server.register(fp(app), { config, mux, exit: () => { throw new Error('exit called') } })
  server.state.setHealthy(true)
  server.state.setReady(true)
  const address = await server.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: address,
    // The page polls the server: its connections are never idle, so they are cut, not awaited.
    close: async () => {
      const closing = server.close()
      server.server.closeAllConnections()
      await closing
    }
  }
}
