import { availableParallelism } from 'node:os'
import type { Config } from '../schemas/config.js'
import { compileGoJson, lastWritten } from './json.js'

/** Runtime information shared by `GET /`, `GET /api/info` and gRPC Info (spec §6.1). */
export interface RuntimeInfo {
  hostname: string
  version: string
  revision: string
  color: string
  logo: string
  message: string
  goos: string
  goarch: string
  runtime: string
  num_goroutine: string
  num_cpu: string
}

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386' }
/** Go's `runtime.NumCPU()` is read once at process start; so is this (a syscall otherwise). */
const NUM_CPU = String(availableParallelism())

export function runtimeInfo (config: Config, numGoroutine: number): RuntimeInfo {
  return {
    hostname: config.hostname,
    version: config.version,
    revision: config.revision,
    color: config.uiColor,
    logo: config.uiLogo,
    message: config.uiMessage,
    goos: process.platform,
    goarch: GOARCH[process.arch] ?? process.arch,
    runtime: process.version,
    num_goroutine: String(numGoroutine),
    num_cpu: NUM_CPU
  }
}

/**
 * podinfo's `num_goroutine`: Node has no goroutines, so this reports the process's active
 * handles and requests. Counting them (`process.getActiveResourcesInfo()`) costs about 10 µs,
 * more than the rest of a `GET /`, so the count is taken at most once a second: it is a
 * snapshot either way.
 */
export class ResourceCount {
  #value = 1
  #takenAt = Number.NEGATIVE_INFINITY

  get (): number {
    const now = performance.now()
    if (now - this.#takenAt >= 1000) {
      this.#value = Math.max(1, process.getActiveResourcesInfo().length)
      this.#takenAt = now
    }
    return this.#value
  }
}

/**
 * The serializer compiler of the routes that answer `RuntimeInfoCache.get()`: the response
 * schema's writer, keeping the JSON of the last frozen object it wrote.
 */
export const runtimeInfoSerializer = ({ schema }: { schema: object }): (value: unknown) => string =>
  lastWritten(compileGoJson(schema))

/**
 * The runtime information for `GET /` and `GET /api/info`, as one frozen object per
 * `num_goroutine` count: every other field is fixed for the life of the process, and the
 * count is taken at most once a second (`ResourceCount`). Handing the serializer the same
 * object lets it keep the JSON it wrote (`lastWritten` in lib/json.ts), so the most requested
 * route of a load test does not build and format the same eleven fields on every request.
 */
export class RuntimeInfoCache {
  readonly #config: Config
  readonly #resources: Pick<ResourceCount, 'get'>
  #count: number
  #info: Readonly<RuntimeInfo>

  constructor (config: Config, resources: Pick<ResourceCount, 'get'> = new ResourceCount()) {
    this.#config = config
    this.#resources = resources
    this.#count = this.#resources.get()
    this.#info = Object.freeze(runtimeInfo(config, this.#count))
  }

  get (): Readonly<RuntimeInfo> {
    const count = this.#resources.get()
    if (count !== this.#count) {
      this.#count = count
      this.#info = Object.freeze(runtimeInfo(this.#config, count))
    }
    return this.#info
  }
}
