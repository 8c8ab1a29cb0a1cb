import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ServiceImplementation } from 'nice-grpc'
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection'

/**
 * The descriptor set `npm run proto` builds with `buf build` (every file in proto/). tsc
 * copies no data files, so it is looked up next to the sources (`grpc/` → `proto/`) and
 * next to the compiled output (`dist/grpc/` → `proto/`).
 */
export function descriptorSetPath (): string {
  const candidates = ['../proto/podinfo.binpb', '../../proto/podinfo.binpb']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  const found = candidates.find((path) => existsSync(path))
  if (found === undefined) throw new Error('gRPC descriptor set not found; looked at ' + candidates.join(', '))
  return found
}

/** nice-grpc-server-reflection serves v1 only; v1alpha has the same messages under another name. */
export const ServerReflectionV1AlphaService = {
  serverReflectionInfo: {
    ...ServerReflectionService.serverReflectionInfo,
    path: '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo' as const
  }
}

export type ReflectionImplementation = ServiceImplementation<typeof ServerReflectionService>

/**
 * Server reflection (spec §11): `list_services` answers the given names, sorted; files and
 * symbols come from the descriptor set.
 */
export function reflectionService (serviceNames: readonly string[], protoset: Uint8Array = readFileSync(descriptorSetPath())): ReflectionImplementation {
  return ServerReflection(protoset, [...serviceNames].sort())
}
