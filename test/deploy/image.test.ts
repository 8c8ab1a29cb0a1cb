// Offline image smoke test with podman: the runtime layout of the Dockerfile's last stage
// (compiled dist/, production node_modules, ui/, proto/, bin/ launchers, ./podinfo and podcli
// links) on a FROM-scratch root filesystem with this machine's node, run the way Kubernetes
// runs it under Pod Security restricted: uid 65532, read-only root, all capabilities dropped,
// no-new-privileges, /tmp and /data as the only writable places. No registry is needed.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import * as nodeModule from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { repoRoot, runTool, type RunResult } from '../helm/k8s.js'

/** Where the Dockerfile keeps Node's compile cache, under /home/app (`ENV NODE_COMPILE_CACHE`). */
const COMPILE_CACHE = '.cache/node-compile'
/** Node 22.1 and later read NODE_COMPILE_CACHE (Node 20 ignores it); 22.8 added this function. */
const compileCacheSupported = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function'

async function which (bin: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `command -v ${bin}`], (err, stdout) => resolve(err ? null : stdout.trim()))
  })
}

async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

async function must (res: Promise<RunResult>, what: string): Promise<RunResult> {
  const r = await res
  assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`)
  return r
}

/** The app's files as the Dockerfile lays them out under /home/app. */
async function buildRootfs (root: string): Promise<void> {
  const app = join(root, 'home', 'app')
  await mkdir(app, { recursive: true })
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  await must(runTool(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.json'), '--outDir', join(app, 'dist')]), 'tsc')
  for (const file of ['package.json', 'package-lock.json']) await copyFile(join(repoRoot, file), join(app, file))
  // the locked production tree (the Dockerfile's `npm ci --omit=dev`; whether the lock file
  // satisfies `npm ci` is checked on its own in dockerfile.test.ts)
  await must(runTool('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: app
  }), 'npm install --omit=dev')
  await rm(join(app, 'package-lock.json'))
  // the bundled server, which ./podinfo runs (`npm run build`, run before the tests, makes it)
  const bundle = join(repoRoot, 'dist', 'bundle')
  assert.ok(existsSync(join(bundle, 'server.js')), 'dist/bundle/server.js is missing: run `npm run build` first')
  await cp(bundle, join(app, 'dist', 'bundle'), { recursive: true })
  await cp(join(repoRoot, 'bin'), join(app, 'bin'), { recursive: true })
  // Node's compile cache, writable by the app user (the Dockerfile: chown 65532:65532)
  await mkdir(join(app, COMPILE_CACHE), { recursive: true })
  await chmod(join(app, COMPILE_CACHE), 0o777)
  await cp(join(repoRoot, 'ui'), join(app, 'ui'), { recursive: true })
  await mkdir(join(app, 'proto'))
  await copyFile(join(repoRoot, 'proto', 'podinfo.binpb'), join(app, 'proto', 'podinfo.binpb'))
  await symlink('bin/podinfo', join(app, 'podinfo'))
  await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true })
  await symlink('/home/app/bin/podcli', join(root, 'usr', 'local', 'bin', 'podcli'))

  // node and /usr/bin/env (the launchers' shebang) with the shared libraries they load
  const env = (await which('env'))!
  const bins: Array<[string, string]> = [[process.execPath, '/usr/local/bin/node'], [env, '/usr/bin/env']]
  const libs = new Set<string>()
  for (const [src, dest] of bins) {
    await mkdir(join(root, dirname(dest)), { recursive: true })
    await copyFile(src, join(root, dest))
    await chmod(join(root, dest), 0o755)
    const ldd = await must(runTool('ldd', [src]), `ldd ${src}`)
    for (const m of ldd.stdout.matchAll(/(\/\S+)/g)) libs.add(m[1]!)
  }
  for (const lib of libs) {
    await mkdir(join(root, dirname(lib)), { recursive: true })
    await copyFile(lib, join(root, lib))
  }
  await mkdir(join(root, 'usr', 'bin'), { recursive: true })
  await symlink('/usr/local/bin/node', join(root, 'usr', 'bin', 'node'))
  for (const dir of ['tmp', 'data', 'etc', 'proc', 'sys', 'dev']) await mkdir(join(root, dir), { recursive: true })
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\napp:x:65532:65532:app:/home/app:/sbin/nologin\n')
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\napp:x:65532:\n')
  await writeFile(join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n::1 localhost\n')
}

async function podman (): Promise<string> {
  const path = await which('podman')
  if (!path) throw new Error('podman is not installed (apt-get install podman)')
  return path
}

test('image smoke test: uid 65532, read-only root, podcli probes, ./podinfo, SIGTERM exits 0', { timeout: 600_000 }, async (t) => {
  const podmanCommand = await podman()
  const work = await mkdtemp(join(tmpdir(), 'podinfo-image-'))
  t.after(() => rm(work, { recursive: true, force: true }))

  // A project-owned containers.conf: no default ulimits (setting them is not permitted in
  // unprivileged sandboxes). The default runtime (crun) rejects hosts with hybrid cgroups;
  // fall back to runc there.
  const conf = join(work, 'containers.conf')
  const pm = (args: string[]) => runTool(podmanCommand, args, { env: { CONTAINERS_CONF: conf } })
  await writeFile(conf, '[containers]\ndefault_ulimits = []\n')

  const root = join(work, 'rootfs')
  await buildRootfs(root)
  const runtimeCheck = () => pm(['run', '--rm', '--network', 'host', '--user', '65532:65532', '--rootfs', root, '/usr/local/bin/node', '-e', '0'])
  if ((await runtimeCheck()).code !== 0 && await which('runc')) {
    await writeFile(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n')
  }
  await must(runtimeCheck(), 'podman run (runtime check)')
  // emptyDir-like host folders for the only two writable places
  const [data, tmp] = [join(work, 'data'), join(work, 'tmp')]
  for (const dir of [data, tmp]) {
    await mkdir(dir)
    await chmod(dir, 0o1777)
  }

  // As the Dockerfile's last RUN: `./podinfo --version` as the app user fills the compile cache
  // (the Dockerfile then makes it read-only; here the whole root is read-only when the server runs).
  const cacheEnv = ['--env', `NODE_COMPILE_CACHE=/home/app/${COMPILE_CACHE}`]
  await must(pm([
    'run', '--rm', '--network', 'host', '--user', '65532:65532', '--workdir', '/home/app',
    ...cacheEnv, '--rootfs', root, './podinfo', '--version'
  ]), 'compile cache (./podinfo --version)')
  const cached = await readdir(join(root, 'home', 'app', COMPILE_CACHE), { recursive: true })
  if (compileCacheSupported) assert.ok(cached.length > 2, `Node ${process.version} filled the compile cache: ${cached.join(', ')}`)
  else assert.deepEqual(cached, [], `Node ${process.version} has no compile cache`)

  const [port, grpcPort] = [await freePort(), await freePort()]
  const name = `podinfo-smoke-${process.pid}`
  t.after(async () => { await pm(['rm', '-f', '-t', '0', name]) })
  await must(pm([
    'run', '-d', '--name', name, '--network', 'host',
    '--user', '65532:65532', '--read-only', '--read-only-tmpfs=false',
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--workdir', '/home/app',
    '--volume', `${data}:/data`, '--volume', `${tmp}:/tmp`, '--env', 'HOME=/home/app',
    ...cacheEnv, '--env', 'NODE_DEBUG_NATIVE=COMPILE_CACHE', '--rootfs', root,
    './podinfo', `--port=${port}`, `--grpc-port=${grpcPort}`, '--level=info'
  ]), 'podman run')

  let up = false
  for (let i = 0; i < 100 && !up; i++) {
    up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false)
    if (!up) await sleep(200)
  }
  if (!up) assert.fail(`podinfo did not become healthy:\n${(await pm(['logs', name])).stderr}`)

  const info = await (await fetch(`http://127.0.0.1:${port}/api/info`)).json() as Record<string, unknown>
  assert.equal(info.version, '6.14.1')

  // the exec probes of the chart and kustomize, and the image HEALTHCHECK
  const probe = await pm(['exec', name, 'podcli', 'check', 'http', `localhost:${port}/healthz`])
  assert.equal(probe.code, 0, probe.stdout + probe.stderr)
  assert.match(probe.stderr, /check succeed/)
  const closed = await pm(['exec', name, 'podcli', 'check', 'http', `localhost:${await freePort()}/healthz`, '--delay=0s'])
  assert.equal(closed.code, 1, 'podcli fails on a closed port')
  const version = await must(pm(['exec', name, './podinfo', '--version']), './podinfo --version')
  assert.equal(version.stdout, '6.14.1\n')

  // identity and filesystem: non-root, read-only root, writable /tmp and /data
  const fsCheck = await must(pm(['exec', name, 'node', '-e', [
    'const fs = require("node:fs")',
    'const tryWrite = (p) => { try { fs.writeFileSync(p, "x"); return "ok" } catch (e) { return e.code } }',
    'console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), root: tryWrite("/x"), app: tryWrite("/home/app/x"), tmp: tryWrite("/tmp/x"), data: tryWrite("/data/x") }))'
  ].join(';')]), 'filesystem check')
  assert.deepEqual(JSON.parse(fsCheck.stdout), { uid: 65532, gid: 65532, root: 'EROFS', app: 'EROFS', tmp: 'ok', data: 'ok' })

  // /store writes to the /data volume
  const stored = await fetch(`http://127.0.0.1:${port}/store`, { method: 'POST', body: 'smoke' })
  assert.equal(stored.status, 202)
  const { hash } = await stored.json() as { hash: string }
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/store/${hash}`)).text(), 'smoke')

  // SIGTERM reaches node (PID 1): graceful shutdown, exit 0
  await must(pm(['stop', '-t', '20', name]), 'podman stop')
  const state = await must(pm(['inspect', name, '--format', '{{.State.ExitCode}} {{.State.Status}}']), 'podman inspect')
  assert.equal(state.stdout.trim(), '0 exited')
  const logRes = await pm(['logs', name])
  const logs = logRes.stdout + logRes.stderr
  assert.match(logs, /Shutting down HTTP\/HTTPS server/)
  // the server's code came from the cache made before, on a read-only root
  const fromCache = /\[compile cache\] reading cache from \S+ for ESM file:\/\/\/home\/app\/dist\/bundle\/server\.js\.\.\..*success/
  if (compileCacheSupported) assert.match(logs, fromCache)
  else assert.doesNotMatch(logs, /\[compile cache\]/)
})
