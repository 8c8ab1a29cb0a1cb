import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js'
import type { HeaderServiceImplementation } from './gen/headers/headers.js'
import { HeaderServiceDefinition } from './gen/headers/headers.js'

const HEADER_PATH = `/${HeaderServiceDefinition.fullName}/${HeaderServiceDefinition.methods.header.name}`

/**
 * grpc-js keeps the `:authority` pseudo-header out of the metadata it hands to services, and
 * its metadata keys cannot start with `:`. This interceptor carries it to the Header service
 * under an internal key (replacing any value a client sent under that key).
 */
const AUTHORITY_KEY = 'podinfo-internal-authority'

export const headerInterceptor: ServerInterceptor = (method, call) => {
  if (method.path !== HEADER_PATH) return new ServerInterceptingCall(call)
  return new ServerInterceptingCall(call, {
    start (next) {
      next({
        onReceiveMetadata (metadata, mdNext) {
          metadata.set(AUTHORITY_KEY, call.getHost())
          mdNext(metadata)
        }
      })
    }
  })
}

/**
 * `/header.HeaderService/Header` (spec §11.2): one `key=value1,value2` string per request
 * metadata key, `-bin` values decoded. grpc-go also lists `:authority` and `content-type`;
 * grpc-js accepts only `application/grpc…` content types and does not hand the header on,
 * so it is reported as `application/grpc`. (`grpc-accept-encoding` and `accept-encoding`
 * are consumed by grpc-js and cannot be listed.)
 */
export function headerService (): HeaderServiceImplementation {
  return {
    async header (_request, { metadata }) {
      const headers: string[] = []
      const authority = metadata.get(AUTHORITY_KEY)
      if (typeof authority === 'string') headers.push(':authority=' + authority)
      headers.push('content-type=application/grpc')
      for (const [key, values] of metadata) {
        if (key === AUTHORITY_KEY) continue
        headers.push(key + '=' + values.map(text).join(','))
      }
      return { headers }
    }
  }
}

function text (value: string | Uint8Array): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
}
