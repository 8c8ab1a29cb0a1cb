import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import fp from 'fastify-plugin'
import { ConfigWatcher } from '../lib/fscache.js'
import { DEFAULT_JWT_SECRET } from '../schemas/config.js'

export interface ConfigFiles {
  /** The watched directory's files, name → content, with the JWT secret redacted. */
  files: () => Record<string, string>
}

declare module 'fastify' {
  interface FastifyInstance {
    configs: ConfigFiles
  }
}

export const REDACTED = '[redacted]'
/** A `jwt-secret` key in a YAML, JSON or env-style file, up to the end of its line. */
const JWT_SECRET_KEY = /^(\s*["']?jwt[-_]secret["']?\s*[:=]\s*)\S.*$/gim

/**
 * The config watcher behind `/configs` (spec §12): active only when `config-path` is an
 * existing directory at startup; then it follows Kubernetes' `..data` swaps (lib/fscache.ts).
 * A ConfigMap or Secret mounted there may hold the JWT secret (the config file does): its
 * value is replaced by `[redacted]` wherever it appears (compat.md §3), and so is the value
 * of any `jwt-secret` key or file, in effect or not. podinfo's public default is not a secret
 * and is left alone elsewhere.
 */
export default fp(async function configs (app) {
  const dir = app.config.configPath === '' ? '' : resolve(app.config.configPath)
  const secret = app.config.jwtSecret
  const inEffect = secret !== '' && secret !== DEFAULT_JWT_SECRET
    ? (text: string) => text.split(secret).join(REDACTED)
    : (text: string) => text
  // A config file may set a jwt-secret that the environment overrides: still a secret.
  const redact = (name: string, text: string): string => name === 'jwt-secret'
    ? REDACTED
    : inEffect(text).replace(JWT_SECRET_KEY, `$1${REDACTED}`)

  if (dir === '' || !isDirectory(dir)) {
    app.decorate('configs', { files: () => ({}) })
    return
  }
  const watcher = new ConfigWatcher(dir, { log: app.log })
  watcher.start()
  let source = watcher.files
  let view: Record<string, string> = {}
  app.decorate('configs', {
    files () {
      if (watcher.files !== source || Object.keys(view).length === 0) {
        source = watcher.files
        view = Object.fromEntries(Object.entries(source).map(([name, content]) => [name, redact(name, content)]))
      }
      return view
    }
  })
  app.addHook('onClose', async () => { watcher.close() })
}, { name: 'configs' })

function isDirectory (path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
