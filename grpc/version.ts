import type { Config } from '../schemas/config.js'
import type { VersionServiceImplementation } from './gen/version.js'

/** `/version.VersionService/Version` (spec §11.2). */
export function versionService (config: Config): VersionServiceImplementation {
  return {
    async version () {
      return { version: config.version, commit: config.revision }
    }
  }
}
