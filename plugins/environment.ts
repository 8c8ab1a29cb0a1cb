import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** The process environment as `NAME=value` strings, secrets redacted (spec §6.5, compat.md §3). */
    environment: () => string[]
  }
}

/** Variables whose values are secrets: shown by name only. */
const SECRET = /^PODINFO_JWT_SECRET$/

/**
 * The environment that `/env` reports: server.ts passes `process.env` in through
 * AppOptions, tests pass a literal.
 */
export default fp(async function environment (app) {
  const source = app.processEnv
  app.decorate('environment', () => Object.entries(source)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => SECRET.test(name) ? `${name}=[redacted]` : `${name}=${value}`))
}, { name: 'environment' })
