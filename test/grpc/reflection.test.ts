import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { fromBinary } from '@bufbuild/protobuf'
import {
  FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as FieldType,
  FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto
} from '@bufbuild/protobuf/wkt'
import ts from 'typescript'
import { ServerReflectionDefinition as V1, type ServerReflectionRequest, type ServerReflectionResponse } from '../../grpc/gen/grpc/reflection/v1/reflection.js'
import { ServerReflectionDefinition as V1Alpha } from '../../grpc/gen/grpc/reflection/v1alpha/reflection.js'
import { descriptorSetPath } from '../../grpc/reflection.js'
import { GRPC_SERVICE_NAMES } from '../../grpc/server.js'
import { startGrpc } from './helper.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** spec §11: all 12 names, sorted */
const SERVICES = [
  'delay.DelayService',
  'echo.EchoService',
  'env.EnvService',
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
  'header.HeaderService',
  'info.InfoService',
  'panic.PanicService',
  'status.StatusService',
  'token.TokenService',
  'version.VersionService'
]

type ReflectionClient = { serverReflectionInfo (requests: AsyncIterable<Partial<ServerReflectionRequest>>): AsyncIterable<ServerReflectionResponse> }

async function ask (client: ReflectionClient, request: Partial<ServerReflectionRequest>): Promise<ServerReflectionResponse> {
  const responses = client.serverReflectionInfo((async function * () { yield request })())[Symbol.asyncIterator]()
  const first = await responses.next()
  assert.equal(first.done, false, 'no reflection response')
  await responses.return?.()
  return first.value as ServerReflectionResponse
}

function decodeFile (response: ServerReflectionResponse): FileDescriptorProto {
  const bytes = response.fileDescriptorResponse?.fileDescriptorProto[0]
  assert.ok(bytes !== undefined, JSON.stringify(response.errorResponse))
  return fromBinary(FileDescriptorProtoSchema, bytes)
}

for (const [version, definition] of [['v1', V1], ['v1alpha', V1Alpha]] as const) {
  test(`reflection ${version} lists exactly the 12 services, sorted`, async (t) => {
    const { client } = await startGrpc(t)
    const response = await ask(client(definition), { listServices: '*' })
    assert.deepEqual(response.listServicesResponse?.service.map((s) => s.name), SERVICES)
    assert.deepEqual(GRPC_SERVICE_NAMES, SERVICES)
  })

  test(`reflection ${version} serves the files under podinfo's names`, async (t) => {
    const { client } = await startGrpc(t)
    const reflection = client(definition)
    const bySymbol = {
      'echo.EchoService': ['echo/echo.proto', 'echo'],
      'header.HeaderService.Header': ['headers/headers.proto', 'header'],
      'panic.PanicService': ['panic.proto', 'panic'],
      'version.VersionResponse': ['version.proto', 'version'],
      'grpc.health.v1.Health': ['grpc/health/v1/health.proto', 'grpc.health.v1'],
      [`grpc.reflection.${version}.ServerReflection`]: [`grpc/reflection/${version}/reflection.proto`, `grpc.reflection.${version}`]
    }
    for (const [symbol, [name, pkg]] of Object.entries(bySymbol)) {
      const file = decodeFile(await ask(reflection, { fileContainingSymbol: symbol }))
      assert.equal(file.name, name, symbol)
      assert.equal(file.package, pkg, symbol)
    }
    const token = decodeFile(await ask(reflection, { fileByFilename: 'token/token.proto' }))
    assert.deepEqual(token.service[0]?.method.map((m) => m.name), ['TokenGenerate', 'TokenValidate'])
    const missing = await ask(reflection, { fileContainingSymbol: 'nope.Nope' })
    assert.equal(missing.errorResponse?.errorCode, 5) // NOT_FOUND
  })
}

test('the descriptor set is podinfo\'s wire contract (spec §11.1)', async () => {
  const set = fromBinary(FileDescriptorSetSchema, await readFile(descriptorSetPath()))
  const S = FieldType.STRING
  const I = FieldType.INT64
  const contract: Record<string, { pkg: string, goPackage: string, service: string, methods: Array<[string, string, string]>, messages: Record<string, Array<[string, number, FieldType, boolean?]>> }> = {
    'delay/delay.proto': { pkg: 'delay', goPackage: './delay', service: 'DelayService', methods: [['Delay', 'DelayRequest', 'DelayResponse']], messages: { DelayRequest: [['seconds', 1, I]], DelayResponse: [['message', 1, I]] } },
    'echo/echo.proto': { pkg: 'echo', goPackage: './echo', service: 'EchoService', methods: [['Echo', 'Message', 'Message']], messages: { Message: [['body', 1, S]] } },
    'env/env.proto': { pkg: 'env', goPackage: './env', service: 'EnvService', methods: [['Env', 'EnvRequest', 'EnvResponse']], messages: { EnvRequest: [], EnvResponse: [['envVars', 1, S, true]] } },
    'headers/headers.proto': { pkg: 'header', goPackage: './header', service: 'HeaderService', methods: [['Header', 'HeaderRequest', 'HeaderResponse']], messages: { HeaderRequest: [], HeaderResponse: [['headers', 1, S, true]] } },
    'info/info.proto': {
      pkg: 'info',
      goPackage: './info',
      service: 'InfoService',
      methods: [['Info', 'InfoRequest', 'InfoResponse']],
      messages: {
        InfoRequest: [],
        InfoResponse: ['hostname', 'version', 'revision', 'color', 'logo', 'message', 'goos', 'goarch', 'runtime', 'numgoroutine', 'numcpu'].map((name, i) => [name, i + 1, S])
      }
    },
    'panic.proto': { pkg: 'panic', goPackage: './panic', service: 'PanicService', methods: [['Panic', 'PanicRequest', 'PanicResponse']], messages: { PanicRequest: [], PanicResponse: [] } },
    'status/status.proto': { pkg: 'status', goPackage: './status', service: 'StatusService', methods: [['Status', 'StatusRequest', 'StatusResponse']], messages: { StatusRequest: [['code', 1, S]], StatusResponse: [['status', 1, S]] } },
    'token/token.proto': {
      pkg: 'token',
      goPackage: './token',
      service: 'TokenService',
      methods: [['TokenGenerate', 'TokenRequest', 'TokenResponse'], ['TokenValidate', 'TokenRequest', 'TokenResponse']],
      messages: { TokenRequest: [], TokenResponse: [['token', 1, S], ['expiresAt', 2, S], ['message', 3, S]] }
    },
    'version.proto': { pkg: 'version', goPackage: './version', service: 'VersionService', methods: [['Version', 'VersionRequest', 'VersionResponse']], messages: { VersionRequest: [], VersionResponse: [['version', 1, S], ['commit', 2, S]] } }
  }
  for (const [name, want] of Object.entries(contract)) {
    const file = set.file.find((f) => f.name === name)
    assert.ok(file !== undefined, name)
    assert.equal(file.syntax, 'proto3', name)
    assert.equal(file.package, want.pkg, name)
    assert.equal(file.options?.goPackage, want.goPackage, name)
    assert.deepEqual(file.service.map((s) => s.name), [want.service], name)
    assert.deepEqual(file.service[0]?.method.map((m) => [m.name, m.inputType, m.outputType, m.clientStreaming, m.serverStreaming]),
      want.methods.map(([method, input, output]) => [method, `.${want.pkg}.${input}`, `.${want.pkg}.${output}`, false, false]), name)
    assert.deepEqual(Object.fromEntries(file.messageType.map((m) => [m.name, m.field.map((f) => [f.name, f.number, f.type, f.label === Label.REPEATED])])),
      Object.fromEntries(Object.entries(want.messages).map(([m, fields]) => [m, fields.map(([f, n, type, repeated]) => [f, n, type, repeated === true])])), name)
  }
  assert.deepEqual(set.file.map((f) => f.name).sort(), [...Object.keys(contract), 'grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'].sort())
})

test('the descriptor set is found from the compiled layout (dist/grpc → proto/)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podinfo-grpc-dist-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'dist', 'grpc'), { recursive: true })
  await mkdir(join(dir, 'proto'))
  await copyFile(join(ROOT, 'proto', 'podinfo.binpb'), join(dir, 'proto', 'podinfo.binpb'))
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  const source = await readFile(join(ROOT, 'grpc', 'reflection.ts'), 'utf8')
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true } })
  await writeFile(join(dir, 'dist', 'grpc', 'reflection.js'), outputText)
  await writeFile(join(dir, 'package.json'), '{"type":"module"}')
  const compiled = await import(pathToFileURL(join(dir, 'dist', 'grpc', 'reflection.js')).href) as typeof import('../../grpc/reflection.js')
  assert.equal(compiled.descriptorSetPath(), join(dir, 'proto', 'podinfo.binpb'))
  await rm(join(dir, 'proto', 'podinfo.binpb'))
  assert.throws(() => compiled.descriptorSetPath(), /gRPC descriptor set not found/)
})
