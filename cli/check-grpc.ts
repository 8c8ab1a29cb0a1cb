import { ChannelCredentials, ClientError, createChannel, createClient, Status } from 'nice-grpc'
import { HealthDefinition } from 'nice-grpc-server-health'
import { type CliContext, withRetries } from './context.js'
import { goNetError } from './go-errors.js'

export interface CheckGrpcOptions {
  retry: number
  delay: number
  timeout: number
  service: string
  tls: boolean
}

/** grpc-go's names for status codes, as they appear in `rpc error: code = … desc = …`. */
const CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound',
  'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted',
  'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated']

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN']

/**
 * `podcli check grpc <host:port>` (spec §16): grpc.health.v1 `Check(service)`. Any answer,
 * even NOT_SERVING, counts as success (upstream behaviour); UNIMPLEMENTED ends at once.
 */
export async function checkGrpc (ctx: CliContext, address: string, opts: CheckGrpcOptions): Promise<number> {
  return await withRetries(ctx, { retry: opts.retry, delay: opts.delay, sleepBeforeFirst: false }, address, async () => {
    const credentials = opts.tls ? ChannelCredentials.createSsl() : ChannelCredentials.createInsecure()
    const channel = createChannel(address.replace(/^(https?|dns):\/*/, ''), credentials)
    const client = createClient(HealthDefinition, channel)
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), opts.timeout)
    try {
      const res = await client.check({ service: opts.service }, { signal: controller.signal })
      ctx.log.info('check succeed', { status: SERVING_STATUS[res.status] ?? String(res.status) })
      return { exit: 0 }
    } catch (err) {
      if (err instanceof ClientError && err.code === Status.UNIMPLEMENTED) {
        ctx.log.info('gRPC health protocol not implemented')
        return { exit: 1 }
      }
      const message = rpcError(err, controller.signal.aborted)
      ctx.log.info('check failed', { address, error: message })
      return { retry: message }
    } finally {
      clearTimeout(timer)
      channel.close()
    }
  })
}

/** grpc-js says `connect ECONNREFUSED 127.0.0.1:1`; grpc-go says it like the Go dialer. */
function describe (details: string): string {
  const dial = /connect (E[A-Z]+) (\[[^\]]+\]:\d+|[^\s:]+:\d+)/.exec(details)
  if (dial !== null) {
    return `connection error: desc = "transport: Error while dialing: ${goNetError({ name: 'Error', message: '', code: dial[1] }, dial[2])}"`
  }
  return details.replace(/\s*Resolution note:\s*$/, '').trim()
}

function rpcError (err: unknown, timedOut: boolean): string {
  if (timedOut) return 'rpc error: code = DeadlineExceeded desc = context deadline exceeded'
  if (err instanceof ClientError) {
    return `rpc error: code = ${CODE_NAMES[err.code] ?? String(err.code)} desc = ${describe(err.details)}`
  }
  return (err as Error).message
}
