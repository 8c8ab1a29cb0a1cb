import type { EnvServiceImplementation } from './gen/env/env.js'

/** `/env.EnvService/Env` (spec §11.2): the process environment as `NAME=value` strings. */
export function envService (env: Record<string, string | undefined>): EnvServiceImplementation {
  return {
    async env () {
      const envVars: string[] = []
      for (const [name, value] of Object.entries(env)) {
        if (value !== undefined) envVars.push(name + '=' + value)
      }
      return { envVars }
    }
  }
}
