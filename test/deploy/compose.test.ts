// docker-compose.yml: validated by Debian's docker-compose (`config -q`, no engine needed) and by
// dclint (current compose-spec schema), plus the wiring `docker compose up` depends on.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { parse } from 'yaml'
import { repoRoot, runTool } from '../helm/k8s.js'

const composeFile = join(repoRoot, 'docker-compose.yml')
const dclint = join(repoRoot, 'node_modules', 'dclint', 'bin', 'dclint.cjs')
// `name:` is rejected by docker-compose 1.29 (the project name is the folder name), and `build`
// next to `image` is deliberate: build locally, or set PODINFO_IMAGE and use --no-build.
const DCLINT_WAIVED = ['no-build-and-image', 'require-project-name-field']

async function dockerCompose (): Promise<string> {
  const found = await new Promise<string | null>((resolve) => {
    execFile('docker-compose', ['version', '--short'], (err) => resolve(err ? null : 'docker-compose'))
  })
  if (found) return found
  throw new Error('docker-compose is not installed (apt-get install docker-compose)')
}

async function brokenCopy (t: TestContext, edit: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'compose-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'docker-compose.yml')
  await writeFile(file, edit(await readFile(composeFile, 'utf8')))
  return file
}

async function runDclint (file: string): Promise<{ code: number, messages: Array<{ rule: string, message: string }> }> {
  const res = await runTool(process.execPath, [dclint, file, '-f', 'json', '--color', 'false',
    ...DCLINT_WAIVED.flatMap((r) => ['--disable-rule', r])])
  const report = JSON.parse(res.stdout) as Array<{ messages: Array<{ rule: string, message: string }> }>
  return { code: res.code, messages: report.flatMap((f) => f.messages) }
}

test('docker-compose config -q accepts the file, and rejects a typo', async (t) => {
  const bin = await dockerCompose()
  const ok = await runTool(bin, ['-f', composeFile, 'config', '-q'], { env: { PODINFO_IMAGE: '', REVISION: '' } })
  assert.equal(ok.code, 0, ok.stderr)
  const bad = await brokenCopy(t, (s) => s.replace('read_only: true', 'read_onyl: true'))
  const res = await runTool(bin, ['-f', bad, 'config', '-q'])
  assert.equal(res.code, 1)
  assert.match(res.stderr, /Unsupported config option for services\.podinfo: 'read_onyl'/)
})

test('docker-compose config: podinfo waits for a healthy Redis and uses it as its cache', async () => {
  const bin = await dockerCompose()
  const res = await runTool(bin, ['-f', composeFile, 'config'])
  assert.equal(res.code, 0, res.stderr)
  const config = parse(res.stdout)
  const { podinfo, redis } = config.services
  assert.equal(podinfo.image, 'podinfo-ts:local')
  assert.equal(podinfo.build.args.REVISION, 'unknown')
  assert.deepEqual(podinfo.depends_on, { redis: { condition: 'service_healthy' } })
  assert.ok(podinfo.command.includes('--cache-server=tcp://redis:6379'))
  assert.equal(podinfo.command[0], './podinfo')
  assert.deepEqual(podinfo.healthcheck.test, ['CMD', 'podcli', 'check', 'http', 'localhost:9898/healthz'])
  assert.deepEqual(redis.healthcheck.test, ['CMD', 'redis-cli', 'ping'])
  for (const svc of [podinfo, redis]) {
    assert.equal(svc.read_only, true)
    assert.match(svc.user, /^[1-9]\d*:[1-9]\d*$/)
    assert.deepEqual(svc.cap_drop, ['ALL'])
    assert.deepEqual(svc.security_opt, ['no-new-privileges:true'])
  }
  assert.deepEqual(podinfo.volumes, ['podinfo-data:/data:rw'])
  assert.deepEqual(podinfo.tmpfs, ['/tmp'])
  assert.ok('podinfo-data' in config.volumes)
  assert.deepEqual(podinfo.ports, ['127.0.0.1:9797:9797/tcp', '127.0.0.1:9898:9898/tcp', '127.0.0.1:9999:9999/tcp'])
})

test('dclint finds nothing beyond the two waived rules, and catches real mistakes', async (t) => {
  const clean = await runDclint(composeFile)
  assert.deepEqual(clean.messages, [])
  assert.equal(clean.code, 0)

  const typo = await runDclint(await brokenCopy(t, (s) => s.replace('read_only: true', 'read_onyl: true')))
  assert.equal(typo.code, 1)
  assert.ok(typo.messages.some((m) => m.rule === 'invalid-schema' && /services\/podinfo.*additional properties/.test(m.message)),
    JSON.stringify(typo.messages))

  const badDepends = await runDclint(await brokenCopy(t, (s) => s.replace('condition: service_healthy', 'condition: service_happy')))
  assert.equal(badDepends.code, 1)
})
