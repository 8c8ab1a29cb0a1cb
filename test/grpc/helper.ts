import type { TestContext } from 'node:test'
import { Client as GrpcJsClient, credentials, Metadata as GrpcMetadata, type ServiceError } from '@grpc/grpc-js'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { createChannel, createClient, type Channel, type CompatServiceDefinition, type Client } from 'nice-grpc'
import { loadConfig } from '../../lib/config.js'
import { ServiceState } from '../../lib/state.js'
import type { Config } from '../../schemas/config.js'
import { buildGrpcServer, type GrpcServer } from '../../grpc/server.js'

export interface LogLine {
  level: number
  msg: string
  [field: string]: unknown
}

export interface StartOptions {
  /** PODINFO_* variables for loadConfig */
  env?: Record<string, string>
  argv?: string[]
  /** readiness shared with HTTP; a ready one by default */
  state?: ServiceState
  /** what the Env service lists */
  processEnv?: Record<string, string | undefined>
  exit?: (code: number) => void
}

export interface Started {
  config: Config
  state: ServiceState
  server: GrpcServer
  port: number
  channel: Channel
  logs: LogLine[]
  exits: number[]
  client<D extends CompatServiceDefinition> (definition: D): Client<D>
}

/** A pino logger (Fastify's) that collects its JSON lines. */
export function collectingLogger (logs: LogLine[]): FastifyBaseLogger {
  const stream = { write: (line: string) => { logs.push(JSON.parse(line) as LogLine) } }
  return Fastify({ logger: { level: 'info', stream } }).log
}

/**
 * The real gRPC server on 127.0.0.1 and an ephemeral port, and a channel to it; both are
 * closed after the test (forcibly, so a test that leaves calls open cannot hang the run).
 */
export async function startGrpc (t: TestContext, options: StartOptions = {}): Promise<Started> {
  const config = loadConfig(options.env ?? {}, options.argv ?? [], { hostname: 'grpc-test-host', revision: 'test-rev' })
  const state = options.state ?? new ServiceState()
  if (options.state === undefined) state.setReady(true)
  const logs: LogLine[] = []
  const exits: number[] = []
  const server = buildGrpcServer({
    config,
    state,
    log: collectingLogger(logs),
    env: options.processEnv ?? {},
    exit: options.exit ?? ((code) => { exits.push(code) })
  })
  const port = await server.listen('127.0.0.1:0')
  const channel = createChannel(`127.0.0.1:${port}`)
  t.after(() => {
    channel.close()
    server.forceShutdown()
  })
  return {
    config,
    state,
    server,
    port,
    channel,
    logs,
    exits,
    client: (definition) => createClient(definition, channel)
  }
}

/** Runs `promise` but gives up after `ms`: resolves to 'timeout' then. */
export async function within<T> (ms: number, promise: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => { resolve('timeout') }, ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

interface Codec<T> {
  encode (message: T): { finish (): Uint8Array }
  decode (input: Uint8Array): T
}

/**
 * One unary call through a bare @grpc/grpc-js client, for what nice-grpc's client does
 * not offer: a real gRPC deadline (`grpc-timeout`). Resolves to the reply or the error.
 */
export async function grpcJsUnary<Req, Res> (
  port: number, path: string, codecs: { request: Codec<Req>, response: Codec<Res> }, request: Req,
  options: { deadline?: number, metadata?: Record<string, string> } = {}
): Promise<{ response?: Res, error?: ServiceError }> {
  const client = new GrpcJsClient(`127.0.0.1:${port}`, credentials.createInsecure())
  const metadata = new GrpcMetadata()
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value)
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(path,
        (message: Req) => Buffer.from(codecs.request.encode(message).finish()),
        (bytes: Buffer) => codecs.response.decode(bytes),
        request, metadata, options.deadline === undefined ? {} : { deadline: options.deadline },
        (error, response) => { resolve(error === null ? { response } : { error }) })
    })
  } finally {
    client.close()
  }
}
