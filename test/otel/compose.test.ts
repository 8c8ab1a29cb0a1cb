// docker-compose.otel.yml: the override that adds an OpenTelemetry Collector and Jaeger. Checked
// offline: merged with docker-compose.yml by Debian's docker-compose (`config`), linted with
// dclint, and the collector's inline configuration wired end to end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { parse } from 'yaml'

const root = join(import.meta.dirname, '..', '..')
const files = ['-f', join(root, 'docker-compose.yml'), '-f', join(root, 'docker-compose.otel.yml')]

async function run (command: string, args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    execFile(command, args, { cwd: root, env: { PATH: process.env.PATH ?? '' } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr })
    })
  })
}

interface Service { command: string[], environment?: Record<string, string>, depends_on?: Record<string, unknown>, ports?: string[], image: string }

async function merged (): Promise<Record<string, Service>> {
  const version = await run('docker-compose', ['version', '--short'])
  if (version.code !== 0) throw new Error('docker-compose is not installed (apt-get install docker-compose)')
  const res = await run('docker-compose', [...files, 'config'])
  assert.equal(res.code, 0, res.stderr)
  return (parse(res.stdout) as { services: Record<string, Service> }).services
}

/** The collector's `--config=yaml:a::b::c: value` flags as one configuration object. */
function collectorConfig (command: string[]): Record<string, any> {
  const config: Record<string, any> = {}
  for (const flag of command) {
    const match = /^--config=yaml:(.+?): (.*)$/.exec(flag)
    assert.ok(match !== null, flag)
    const path = (match[1] as string).split('::')
    let node = config
    for (const key of path.slice(0, -1)) node = (node[key] ??= {})
    node[path.at(-1) as string] = parse(match[2] as string)
  }
  return config
}

test('the override points podinfo at the collector, and the collector at Jaeger', async () => {
  const services = await merged()
  const podinfo = services.podinfo as Service
  assert.ok(podinfo.command.includes('--otel-service-name=podinfo'))
  assert.ok(podinfo.command.includes('--cache-server=tcp://redis:6379'), 'the base command is kept')
  assert.equal(podinfo.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4317')
  assert.deepEqual(Object.keys(podinfo.depends_on ?? {}).sort(), ['otel-collector', 'redis'])

  const collector = collectorConfig((services['otel-collector'] as Service).command)
  assert.equal(collector.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317')
  assert.equal(collector.receivers.otlp.protocols.http.endpoint, '0.0.0.0:4318')
  assert.equal(collector.exporters['otlp/jaeger'].endpoint, 'jaeger:4317')
  for (const [name, pipeline] of Object.entries(collector.service.pipelines as Record<string, Record<string, string[]>>)) {
    for (const kind of ['receivers', 'processors', 'exporters']) {
      for (const id of pipeline[kind] ?? []) assert.ok(id in collector[kind], `${name} ${kind} ${id} is defined`)
    }
  }
  assert.deepEqual(Object.keys(collector.service.pipelines).sort(), ['logs', 'traces'])
  assert.ok(services.jaeger?.ports?.some((p) => p.startsWith('127.0.0.1:16686:16686')))
})

test('dclint finds nothing in the override', async () => {
  const dclint = join(root, 'node_modules', 'dclint', 'bin', 'dclint.cjs')
  const res = await run(process.execPath, [dclint, 'docker-compose.otel.yml', '-f', 'json', '--color', 'false',
    '--disable-rule', 'no-build-and-image', '--disable-rule', 'require-project-name-field'])
  const report = JSON.parse(res.stdout) as Array<{ messages: unknown[] }>
  assert.deepEqual(report.flatMap((f) => f.messages), [])
  assert.equal(res.code, 0)
})
