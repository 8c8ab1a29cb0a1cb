import { ResourceCount, runtimeInfo } from '../lib/info.js'
import type { Config } from '../schemas/config.js'
import type { InfoServiceImplementation } from './gen/info/info.js'

/** `/info.InfoService/Info` (spec §11.2): the values of HTTP `GET /api/info`. */
export function infoService (config: Config): InfoServiceImplementation {
  const resources = new ResourceCount()
  return {
    async info () {
      const info = runtimeInfo(config, resources.get())
      return {
        hostname: info.hostname,
        version: info.version,
        revision: info.revision,
        color: info.color,
        logo: info.logo,
        message: info.message,
        goos: info.goos,
        goarch: info.goarch,
        runtime: info.runtime,
        numgoroutine: info.num_goroutine,
        numcpu: info.num_cpu
      }
    }
  }
}
