/**
 * A real OTLP receiver for the tests, in the test process: OTLP/HTTP with protobuf bodies
 * (`POST /v1/traces`, `POST /v1/logs`) on a node:http server, and OTLP/gRPC (the collector's
 * TraceService and LogsService) on a @grpc/grpc-js server. Requests are decoded with a small
 * protobuf reader written from the opentelemetry-proto definitions, independent of the SDK's
 * own encoder.
 */
import { createServer, type Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { Server as GrpcServer, ServerCredentials, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js'
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire'

export type Value = string | number | boolean | bigint | Value[] | { [key: string]: Value } | Uint8Array | null

export interface ExportedSpan {
  service: string
  resource: Record<string, Value>
  scope: string
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number
  attributes: Record<string, Value>
  status: { code: number, message: string }
}

export interface ExportedLog {
  service: string
  resource: Record<string, Value>
  scope: string
  timeUnixNano: bigint
  severityNumber: number
  severityText: string
  body: Value
  attributes: Record<string, Value>
  traceId: string
  spanId: string
}

type Fields = Map<number, Array<Uint8Array | bigint | number>>

/** Reads one message into its fields by number; nested messages stay as bytes. */
function fields (bytes: Uint8Array): Fields {
  const reader = new BinaryReader(bytes)
  const out: Fields = new Map()
  while (reader.pos < reader.len) {
    const [no, type] = reader.tag()
    let value: Uint8Array | bigint | number
    switch (type) {
      case WireType.Varint: value = BigInt(reader.uint64()); break
      case WireType.Bit64: value = BigInt(reader.fixed64()); break
      case WireType.Bit32: value = reader.fixed32(); break
      case WireType.LengthDelimited: value = reader.bytes(); break
      default: reader.skip(type); continue
    }
    const list = out.get(no) ?? []
    list.push(value)
    out.set(no, list)
  }
  return out
}

const text = new TextDecoder()
const bytesOf = (f: Fields, no: number): Uint8Array[] => (f.get(no) ?? []) as Uint8Array[]
const first = (f: Fields, no: number): Uint8Array | undefined => bytesOf(f, no)[0]
const str = (f: Fields, no: number): string => { const b = first(f, no); return b === undefined ? '' : text.decode(b) }
const hex = (f: Fields, no: number): string => Buffer.from(first(f, no) ?? new Uint8Array()).toString('hex')
const num = (f: Fields, no: number): number => Number(f.get(no)?.[0] ?? 0)

function anyValue (bytes: Uint8Array): Value {
  const f = fields(bytes)
  if (f.has(1)) return str(f, 1)
  if (f.has(2)) return f.get(2)?.[0] === 1n
  if (f.has(3)) return BigInt.asIntN(64, f.get(3)?.[0] as bigint)
  if (f.has(4)) return new Float64Array(new BigUint64Array([f.get(4)?.[0] as bigint]).buffer)[0] as number
  if (f.has(5)) return bytesOf(fields(first(f, 5) as Uint8Array), 1).map(anyValue)
  if (f.has(6)) return keyValues(bytesOf(fields(first(f, 6) as Uint8Array), 1))
  if (f.has(7)) return first(f, 7) as Uint8Array
  return null
}

function keyValues (list: Uint8Array[]): Record<string, Value> {
  const out: Record<string, Value> = {}
  for (const kv of list) {
    const f = fields(kv)
    const value = first(f, 2)
    out[str(f, 1)] = value === undefined ? null : anyValue(value)
  }
  return out
}

/** The resource and scope levels shared by ExportTraceServiceRequest and ExportLogsServiceRequest. */
function * scoped (request: Uint8Array): Generator<{ resource: Record<string, Value>, scope: string, items: Uint8Array[] }> {
  for (const resourceItems of bytesOf(fields(request), 1)) {
    const rf = fields(resourceItems)
    const resourceBytes = first(rf, 1)
    const resource = resourceBytes === undefined ? {} : keyValues(bytesOf(fields(resourceBytes), 1))
    for (const scopeItems of bytesOf(rf, 2)) {
      const sf = fields(scopeItems)
      const scopeBytes = first(sf, 1)
      yield { resource, scope: scopeBytes === undefined ? '' : str(fields(scopeBytes), 1), items: bytesOf(sf, 2) }
    }
  }
}

export function decodeTraces (request: Uint8Array): ExportedSpan[] {
  const spans: ExportedSpan[] = []
  for (const { resource, scope, items } of scoped(request)) {
    for (const item of items) {
      const f = fields(item)
      const status = first(f, 15)
      const sf = status === undefined ? new Map() as Fields : fields(status)
      spans.push({
        service: String(resource['service.name']),
        resource,
        scope,
        traceId: hex(f, 1),
        spanId: hex(f, 2),
        parentSpanId: hex(f, 4),
        name: str(f, 5),
        kind: num(f, 6),
        attributes: keyValues(bytesOf(f, 9)),
        status: { code: num(sf, 3), message: str(sf, 2) }
      })
    }
  }
  return spans
}

export function decodeLogs (request: Uint8Array): ExportedLog[] {
  const records: ExportedLog[] = []
  for (const { resource, scope, items } of scoped(request)) {
    for (const item of items) {
      const f = fields(item)
      const body = first(f, 5)
      records.push({
        service: String(resource['service.name']),
        resource,
        scope,
        timeUnixNano: (f.get(1)?.[0] as bigint | undefined) ?? 0n,
        severityNumber: num(f, 2),
        severityText: str(f, 3),
        body: body === undefined ? null : anyValue(body),
        attributes: keyValues(bytesOf(f, 6)),
        traceId: hex(f, 9),
        spanId: hex(f, 10)
      })
    }
  }
  return records
}

export interface Receiver {
  /** `http://127.0.0.1:<port>`: the value for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  endpoint: string
  spans: ExportedSpan[]
  logs: ExportedLog[]
  /** Export requests received (both signals). */
  requests: number
  /** The HTTP headers (or gRPC metadata) of every export request. */
  headers: Array<Record<string, unknown>>
  /** Waits until `check` returns true (or throws after `ms`). */
  until: (check: () => boolean, ms?: number) => Promise<void>
  close: () => Promise<void>
}

function receiverState (): Omit<Receiver, 'endpoint' | 'close'> {
  const state = {
    spans: [] as ExportedSpan[],
    logs: [] as ExportedLog[],
    requests: 0,
    headers: [] as Array<Record<string, unknown>>,
    async until (check: () => boolean, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met after ${ms} ms (${state.spans.length} spans, ${state.logs.length} logs)`)
        await sleep(25)
      }
    }
  }
  return state
}

/** OTLP/HTTP with `application/x-protobuf` bodies. */
export async function startHttpReceiver (): Promise<Receiver> {
  const state = receiverState()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = new Uint8Array(Buffer.concat(chunks))
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-protobuf') {
        res.writeHead(415).end()
        return
      }
      if (req.url === '/v1/traces') state.spans.push(...decodeTraces(body))
      else if (req.url === '/v1/logs') state.logs.push(...decodeLogs(body))
      else { res.writeHead(404).end(); return }
      state.requests++
      state.headers.push(req.headers)
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end() // an empty Export*ServiceResponse
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) }
  })
}

function exportService (path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: Buffer) => value,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: () => Buffer.alloc(0), // an empty Export*ServiceResponse
      responseDeserialize: (bytes: Buffer) => bytes,
      originalName: 'export'
    }
  }
}

/** OTLP/gRPC: the collector's TraceService and LogsService. */
export async function startGrpcReceiver (): Promise<Receiver> {
  const state = receiverState()
  const server = new GrpcServer()
  server.addService(exportService('/opentelemetry.proto.collector.trace.v1.TraceService/Export'), {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      state.spans.push(...decodeTraces(new Uint8Array(call.request)))
      state.requests++
      state.headers.push(call.metadata.getMap())
      callback(null, Buffer.alloc(0))
    }
  })
  server.addService(exportService('/opentelemetry.proto.collector.logs.v1.LogsService/Export'), {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      state.logs.push(...decodeLogs(new Uint8Array(call.request)))
      state.requests++
      state.headers.push(call.metadata.getMap())
      callback(null, Buffer.alloc(0))
    }
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => { if (err !== null) reject(err); else resolve(bound) })
  })
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => { server.forceShutdown() }
  })
}
