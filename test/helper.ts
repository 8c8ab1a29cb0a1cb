import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TestContext } from 'node:test'
import app, { type AppOptions } from '../app.js'
import { loadConfig } from '../lib/config.js'
import { MuxRules } from '../lib/router.js'
import { fastifyOptions } from '../lib/server-options.js'
import { ServiceState } from '../lib/state.js'

export interface BuildOptions extends Partial<Omit<AppOptions, 'config'>> {
  /** Command-line flags, as podinfo would get them. */
  argv?: string[]
  /** Leave healthy/ready false, as before startup finishes. */
  notStarted?: boolean
}

/**
 * A ready app for `inject`, configured from a literal environment (and flags), with the
 * same engine options as the real server. Closed after the test.
 */
export async function build (t: TestContext, env: Record<string, string> = {}, options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = loadConfig(env, options.argv ?? [])
  const mux = new MuxRules()
  const state = options.state ?? new ServiceState()
  const server = Fastify({ ...fastifyOptions(config, mux), logger: false })
  await server.register(fp(app), {
    config,
    mux,
    state,
    env: options.env ?? env,
    exit: options.exit ?? ((code) => { throw new Error(`exit(${code}) called in a test`) })
  })
  await server.ready()
  if (options.notStarted !== true) {
    state.setHealthy(!config.unhealthy)
    state.setReady(!config.unready)
  }
  t.after(() => server.close())
  return server
}
