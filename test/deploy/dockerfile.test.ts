// The Dockerfile: dockerlinter (hadolint-like rules) plus the image contract podinfo's
// consumers rely on, asserted on the parsed file.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import { repoRoot, runTool, getTools } from '../helm/k8s.js'

const dockerfilePath = join(repoRoot, 'Dockerfile')

async function parseDockerfile () {
  return DockerfileParser.parse(await readFile(dockerfilePath, 'utf8'))
}

/** Instructions of the last (runtime) stage. */
async function finalStage (): Promise<Instruction[]> {
  const df = await parseDockerfile()
  const all = df.getInstructions()
  const lastFrom = all.findLastIndex((i) => i.getKeyword() === 'FROM')
  return all.slice(lastFrom)
}

function args (i: Instruction): string[] {
  return i.getArguments().map((a) => a.getValue())
}

test('dockerlinter finds nothing (shellcheck off; apk version pinning waived)', async () => {
  const tools = await getTools()
  // ER0015 "pin versions in apk add": pinning curl to an Alpine patch release breaks the build
  // at every Alpine point release; the base image tag pins the release instead.
  const res = await runTool(process.execPath, [tools.dockerlinter, '-f', dockerfilePath, '-s', 'none', '-e', 'info', '-i', 'ER0015', '-j'])
  assert.equal(res.code, 0, res.stdout + res.stderr)
  assert.deepEqual(res.stdout.trim() === '' ? [] : JSON.parse(res.stdout), [])
})

test('dockerlinter itself fails on a bad Dockerfile', async (t) => {
  const tools = await getTools()
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'dockerfile-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'Dockerfile'), 'FROM node:latest\nADD . /app\nWORKDIR app\nCMD node server.js\n')
  const res = await runTool(process.execPath, [tools.dockerlinter, '-f', join(dir, 'Dockerfile'), '-s', 'none', '-e', 'info', '-j'])
  assert.equal(res.code, 1)
  const codes = (JSON.parse(res.stdout) as Array<{ code: string }>).map((f) => f.code)
  for (const code of ['EF0003', 'EA0002', 'EW0001', 'EJ0002']) assert.ok(codes.includes(code), `${code} in ${codes.join(',')}`)
})

test('multi-stage build on Node 24 LTS; build stages run on the build platform', async () => {
  const df = await parseDockerfile()
  const froms = df.getFROMs()
  assert.ok(froms.length >= 2, 'multi-stage')
  const nodeVersion = df.getInstructions().find((i) => i.getKeyword() === 'ARG' && args(i)[0]?.startsWith('NODE_VERSION='))
  assert.deepEqual(nodeVersion && args(nodeVersion), ['NODE_VERSION=24'])
  for (const from of froms) {
    assert.equal(from.getImageName(), 'node')
    assert.notEqual(from.getImageTag(), 'latest')
  }
  for (const from of froms.slice(0, -1)) assert.equal(from.getPlatformFlag()?.getValue(), '$BUILDPLATFORM')
  assert.equal(froms.at(-1)!.getBuildStage(), null, 'the runtime stage is the last, unnamed stage')
  assert.deepEqual(df.getDirectives().map((d) => `${d.getName()}=${d.getValue()}`), ['syntax=docker/dockerfile:1'])
  const text = await readFile(dockerfilePath, 'utf8')
  assert.match(text, /npm ci --omit=dev/, 'production dependencies only')
  assert.ok(!df.getInstructions().some((i) => i.getKeyword() === 'ADD'), 'COPY, never ADD')
})

test('runtime stage: drop-in layout, numeric non-root user, ports, exec-form CMD, healthcheck', async () => {
  const stage = await finalStage()
  const by = (kw: string) => stage.filter((i) => i.getKeyword() === kw)

  const workdirs = by('WORKDIR').map((i) => args(i)[0])
  assert.equal(workdirs.at(-1), '/home/app')

  const users = by('USER')
  assert.equal(users.length, 1)
  assert.match(args(users[0]!)[0]!, /^[1-9]\d*:[1-9]\d*$/, 'numeric uid:gid')
  assert.equal(args(users[0]!)[0], '65532:65532')
  // Every RUN is made as root but the one that fills Node's compile cache as the app user.
  const userAt = stage.indexOf(users[0]!)
  const runsAfterUser = stage.slice(userAt).filter((i) => i.getKeyword() === 'RUN')
  assert.deepEqual(runsAfterUser.map((i) => i.getArgumentsContent()), ['./podinfo --version && chmod -R a-w /home/app/.cache/node-compile'], 'only the compile cache is made as the app user, then made read-only')
  const env = by('ENV').flatMap(args)
  assert.ok(env.includes('NODE_COMPILE_CACHE=/home/app/.cache/node-compile'), 'Node\'s compile cache is in the image')
  assert.ok(stage.findIndex((i) => i.getKeyword() === 'ENV' && args(i).includes('NODE_COMPILE_CACHE=/home/app/.cache/node-compile')) < userAt, 'set before it is made')

  assert.deepEqual(by('EXPOSE').flatMap(args), ['9898', '9797', '9999'])

  const cmds = by('CMD')
  assert.equal(cmds.length, 1)
  assert.equal(by('ENTRYPOINT').length, 0, 'no ENTRYPOINT: `command:` and `docker run IMAGE podcli` work as with podinfo')
  const cmd = cmds[0]! as unknown as { getJSONStrings: () => Array<{ getJSONValue: () => string }> }
  assert.deepEqual(cmd.getJSONStrings().map((s) => s.getJSONValue()), ['./podinfo'], 'exec form: SIGTERM reaches node')

  const health = by('HEALTHCHECK')
  assert.equal(health.length, 1)
  assert.deepEqual(args(health[0]!), ['CMD', '["podcli",', '"check",', '"http",', '"localhost:9898/healthz"]'],
    'exec form, no shell or curl needed')

  const copies = by('COPY').map((i) => args(i).filter((a) => !a.startsWith('--')).join(' '))
  for (const expected of ['/src/node_modules ./node_modules', '/src/dist ./dist', 'package.json ./', 'bin ./bin', 'ui ./ui', 'proto/podinfo.binpb ./proto/podinfo.binpb']) {
    assert.ok(copies.includes(expected), `COPY ${expected}`)
  }
  const runs = by('RUN').map((i) => i.getArgumentsContent() ?? '').join('\n')
  assert.match(runs, /ln -s bin\/podinfo \/home\/app\/podinfo/, './podinfo in the working directory')
  assert.match(runs, /ln -s \/home\/app\/bin\/podcli \/usr\/local\/bin\/podcli/, 'podcli on PATH')
  assert.match(runs, /chown 65532:65532 \/data \/home\/app\/.cache\/node-compile/, '/data and the compile cache writable by the app user')
  assert.match(runs, /rm -rf \/usr\/local\/lib\/node_modules\/npm/, 'no npm in the runtime image')
  assert.match(runs, /"\$REVISION" > \/home\/app\/REVISION/, 'the REVISION build arg reaches /version through the REVISION file')

  const labels = by('LABEL').flatMap(args).map((a) => a.split('=')[0])
  for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source']) {
    assert.ok(labels.includes(`org.opencontainers.image.${key}`), `OCI label ${key}`)
  }
  assert.ok(by('ARG').some((i) => args(i)[0]?.startsWith('REVISION')), 'REVISION build arg, as podinfo')
})

test('the launcher scripts the image links exist, are executable and import dist/', async () => {
  const { stat } = await import('node:fs/promises')
  for (const [name, target] of [['podinfo', '../dist/server.js'], ['podcli', '../dist/cli/index.js']] as const) {
    const file = join(repoRoot, 'bin', name)
    assert.ok(((await stat(file)).mode & 0o111) !== 0, `bin/${name} is executable`)
    const text = await readFile(file, 'utf8')
    assert.match(text, /^#!\/usr\/bin\/env node\n/, `bin/${name} has a node shebang`)
    assert.ok(text.includes(target), `bin/${name} imports ${target}`)
  }
})

test('.dockerignore keeps the context small but keeps what the build copies', async () => {
  const ignored = (await readFile(join(repoRoot, '.dockerignore'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'))
  for (const entry of ['.git', 'node_modules', 'dist', '.cache']) assert.ok(ignored.includes(entry), entry)
  for (const needed of ['bin', 'ui', 'proto', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    assert.ok(!ignored.includes(needed), `${needed} must reach the build`)
  }
})

test('package-lock.json satisfies `npm ci`, which both build stages run', { timeout: 180_000 }, async (t) => {
  const { copyFile, mkdtemp, rm } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'npm-ci-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const file of ['package.json', 'package-lock.json']) await copyFile(join(repoRoot, file), join(dir, file))
  const res = await runTool('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir
  })
  assert.equal(res.code, 0, res.stderr.split('\n').filter((l) => /EUSAGE|Missing|Invalid/.test(l)).join('\n'))
})
