#!/usr/bin/env node
/**
 * `npm run bench`: podinfo-ts against two baselines that serve the same bytes, raw
 * `node:http` (bench/raw-http.mjs) and bare Fastify (bench/bare-fastify.mjs), in one run.
 *
 * - startup: spawn → first 200 on `/readyz`, and the RSS after one idle second (median of
 *   several spawns per target, targets alternating);
 * - load: `GET /`, `GET /healthz`, `POST /echo` (1 KiB), `GET /metrics`, with wrk (or
 *   autocannon when wrk is missing), targets alternating over several rounds, fresh server
 *   processes every round; req/s, p50/p99 and the server's CPU time per request (from
 *   /proc/<pid>/stat);
 * - memory after the warm-up and after load (medians over the rounds' processes);
 * - for startup and idle memory only, a third reference: the packages podinfo-ts is built on,
 *   registered with one route and bundled as the production build is (bench/stack-floor.mjs).
 *
 * With two or more cores, servers run on core 0 and the load generator (and this script) on
 * core 1 (taskset). Only 127.0.0.1 is contacted. Ratios are medians of per-round ratios:
 * absolute numbers are noisy on shared machines, ratios taken in the same run are what counts.
 *
 *   node bench/run.mjs [--entry dist/bundle/server.js] [--rounds 5] [--duration 5]
 *     [--connections 50] [--warmup 1] [--spawns 7] [--json FILE] [--tool wrk|autocannon]
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs, promisify } from 'node:util'
import { build } from 'esbuild'
import { freePort, get } from './net.mjs'

const ROOT = join(import.meta.dirname, '..')

const { values: opts } = parseArgs({
  options: {
    entry: { type: 'string', default: existsSync(join(ROOT, 'dist/bundle/server.js')) ? 'dist/bundle/server.js' : 'dist/server.js' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '1' },
    spawns: { type: 'string', default: '7' },
    json: { type: 'string' },
    tool: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
})
if (opts.help === true) {
  process.stdout.write('usage: node bench/run.mjs [--entry dist/bundle/server.js] [--rounds 5] [--duration 5] [--connections 50]\n' +
    '         [--warmup 1] [--spawns 7] [--json FILE] [--tool wrk|autocannon]\n')
  process.exit(0)
}
const ROUNDS = Number(opts.rounds)
const DURATION = Number(opts.duration)
const CONNECTIONS = Number(opts.connections)
const WARMUP = Number(opts.warmup)
const SPAWNS = Number(opts.spawns)

const entry = join(ROOT, opts.entry)
if (!existsSync(entry)) {
  process.stderr.write(`bench: ${opts.entry} does not exist; run \`npm run build:bundle\` (or \`npm run build\` and pass --entry dist/server.js)\n`)
  process.exit(2)
}

const has = (cmd) => { try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true } catch { return false } }
const TOOL = opts.tool ?? (has('wrk') ? 'wrk' : 'autocannon')
const AVAILABLE = availableParallelism() // before this process pins itself
const execFileAsync = promisify(execFile)
// Counted on the machine, not on this process's affinity (which the pinning below changes).
const canPin = () => { try { execFileSync('taskset', ['-c', '0,1', 'true'], { stdio: 'ignore' }); return true } catch { return false } }
const PIN = cpus().length >= 2 && has('taskset') && canPin()
const SERVER_CPU = '0'
const LOAD_CPU = '1'
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
if (PIN) execFileSync('taskset', ['-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' })

const work = mkdtempSync(join(tmpdir(), 'podinfo-bench-'))
const BODY_FILE = join(work, 'body-1k.bin')
writeFileSync(BODY_FILE, Buffer.alloc(1024, 'podinfo '))
const METRICS_FILE = join(work, 'metrics.txt')

// The stack floor, bundled like dist/bundle (scripts/bundle.ts): one file, no whitespace.
const FLOOR = join(ROOT, 'dist/bench/stack-floor.js')
await build({
  absWorkingDir: ROOT,
  entryPoints: [join(ROOT, 'bench/stack-floor.mjs')],
  outfile: FLOOR,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  external: ['bufferutil', 'utf-8-validate']
})

const TARGETS = {
  podinfo: (port) => [entry, '--port', String(port), '--host', '127.0.0.1'],
  fastify: (port) => [join(ROOT, 'bench/bare-fastify.mjs'), '--port', String(port), '--metrics-body', METRICS_FILE],
  raw: (port) => [join(ROOT, 'bench/raw-http.mjs'), '--port', String(port), '--metrics-body', METRICS_FILE],
  stack: (port) => [FLOOR, '--port', String(port)]
}
/** Load targets; the stack floor is measured for startup and idle memory only. */
const NAMES = ['podinfo', 'fastify', 'raw']
const STARTUP_NAMES = [...NAMES, 'stack']
const ENDPOINTS = [
  { name: 'GET /', method: 'GET', path: '/' },
  { name: 'GET /healthz', method: 'GET', path: '/healthz' },
  { name: 'POST /echo 1KiB', method: 'POST', path: '/echo', body: true },
  { name: 'GET /metrics', method: 'GET', path: '/metrics' }
]

const children = new Set()
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); rmSync(work, { recursive: true, force: true }) })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

/** Spawns a target pinned to the server core; resolves once /readyz answers 200. */
async function start (name) {
  const port = await freePort()
  const log = openSync(join(work, `${name}-${port}.log`), 'w')
  const args = TARGETS[name](port)
  const t0 = process.hrtime.bigint()
  const child = PIN
    ? spawn('taskset', ['-c', SERVER_CPU, process.execPath, ...args], { stdio: ['ignore', log, log] })
    : spawn(process.execPath, args, { stdio: ['ignore', log, log] })
  children.add(child)
  let exited = false
  child.once('exit', () => { exited = true; children.delete(child) })
  for (;;) {
    if (exited) throw new Error(`${name} exited during startup:\n${readFileSync(join(work, `${name}-${port}.log`), 'utf8')}`)
    if ((await get(port, '/readyz')).status === 200) break
    if (process.hrtime.bigint() - t0 > 30_000_000_000n) throw new Error(`${name} not ready after 30 s`)
    await sleep(2)
  }
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6
  return {
    name,
    port,
    child,
    readyMs,
    stop: async () => {
      if (exited) return
      const done = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([done, sleep(5000).then(() => child.kill('SIGKILL'))])
    }
  }
}

function procStatus (pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN)
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 }
}

function cpuSeconds (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK // utime + stime
}

async function runTool (port, endpoint, seconds) {
  const url = `http://127.0.0.1:${port}${endpoint.path}`
  const pin = (cmd) => PIN ? ['taskset', ['-c', LOAD_CPU, ...cmd]] : [cmd[0], cmd.slice(1)]
  if (TOOL === 'wrk') {
    const [cmd, args] = pin(['wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '5s', '-s', join(ROOT, 'bench/wrk.lua'), url])
    const { stdout: out } = await execFileAsync(cmd, args, {
      env: { ...process.env, BENCH_METHOD: endpoint.method, BENCH_BODY_FILE: endpoint.body ? BODY_FILE : '' },
      maxBuffer: 16 << 20
    })
    const r = JSON.parse(/BENCH_JSON (.*)/.exec(out)[1])
    return { rps: r.requests / (r.duration_us / 1e6), requests: r.requests, p50: r.p50_us / 1000, p99: r.p99_us / 1000, errors: r.errors + r.non2xx }
  }
  const cli = join(ROOT, 'node_modules/autocannon/autocannon.js')
  const extra = endpoint.body ? ['-m', 'POST', '-i', BODY_FILE, '-H', 'content-type=application/octet-stream'] : []
  const [cmd, args] = pin([process.execPath, cli, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), ...extra, url])
  const r = JSON.parse((await execFileAsync(cmd, args, { maxBuffer: 16 << 20 })).stdout)
  return { rps: r.requests.total / r.duration, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
const rotate = (xs, n) => xs.map((_, i) => xs[(i + n) % xs.length])
const fmt = (x, d = 0) => Number.isFinite(x) ? x.toFixed(d) : '-'
const say = (line = '') => process.stdout.write(line + '\n')

const began = Date.now()
say(`podinfo-ts bench: ${opts.entry} vs bare Fastify vs raw node:http (and the stack floor for startup)`)
say(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length} (${AVAILABLE} available), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
  `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, load tool ${TOOL}, ${PIN ? `server on cpu ${SERVER_CPU}, load on cpu ${LOAD_CPU}` : 'not pinned'}`)
say(`${ROUNDS} rounds × ${DURATION} s per target and endpoint, ${CONNECTIONS} connections; ${SPAWNS} spawns per target\n`)

// 1. podinfo's /metrics body after some traffic, so that the baselines serve the same bytes.
{
  writeFileSync(METRICS_FILE, '')
  const p = await start('podinfo')
  for (const e of ENDPOINTS) for (let i = 0; i < 20; i++) await get(p.port, e.path, e.method, e.body ? readFileSync(BODY_FILE) : undefined)
  const m = await get(p.port, '/metrics')
  writeFileSync(METRICS_FILE, m.body)
  await p.stop()
  say(`captured podinfo /metrics: ${m.body.length} bytes`)
}

// 2. Startup and idle memory.
const startup = Object.fromEntries(STARTUP_NAMES.map((n) => [n, { readyMs: [], idleMB: [] }]))
for (let i = 0; i < SPAWNS; i++) {
  for (const name of rotate(STARTUP_NAMES, i)) {
    const t = await start(name)
    await sleep(1000)
    startup[name].readyMs.push(t.readyMs)
    startup[name].idleMB.push(procStatus(t.child.pid).rssMB)
    await t.stop()
  }
}
say('startup measured')

// 3. Load. Every round starts fresh servers: the same build serves measurably faster or slower
// from one process start to the next (V8 compiles hot functions from the type feedback of that
// run), so one process per target would measure its luck; the medians are over processes.
const body = readFileSync(BODY_FILE)
const results = {} // results[endpoint][target] = [{rps,p50,p99,cpuUs,errors}, …]
for (const e of ENDPOINTS) results[e.name] = Object.fromEntries(NAMES.map((n) => [n, []]))
const memory = Object.fromEntries(NAMES.map((n) => [n, { warmMB: [], afterMB: [], peakMB: [] }]))
for (let round = 0; round < ROUNDS; round++) {
  const servers = {}
  for (const name of rotate(NAMES, round)) servers[name] = await start(name)
  for (const e of ENDPOINTS) {
    for (const name of NAMES) {
      const r = await get(servers[name].port, e.path, e.method, e.body ? body : undefined)
      if (r.status !== (e.body ? 202 : 200)) throw new Error(`${name} ${e.name}: status ${r.status}`)
      if (e.body && !r.body.equals(body)) throw new Error(`${name} ${e.name}: body differs`)
    }
  }
  for (const e of ENDPOINTS) for (const name of NAMES) await runTool(servers[name].port, e, WARMUP)
  for (const name of NAMES) memory[name].warmMB.push(procStatus(servers[name].child.pid).rssMB)
  for (const e of ENDPOINTS) {
    for (const name of rotate(NAMES, round)) {
      const pid = servers[name].child.pid
      const c0 = cpuSeconds(pid)
      const r = await runTool(servers[name].port, e, DURATION)
      const c1 = cpuSeconds(pid)
      results[e.name][name].push({ ...r, cpuUs: (c1 - c0) * 1e6 / r.requests })
    }
  }
  for (const name of NAMES) {
    const { rssMB, hwmMB } = procStatus(servers[name].child.pid)
    memory[name].afterMB.push(rssMB)
    memory[name].peakMB.push(hwmMB)
    await servers[name].stop()
  }
  say(`round ${round + 1}/${ROUNDS} done (${((Date.now() - began) / 1000).toFixed(0)} s)`)
}

// 4. Report.
const ratio = (endpoint, key, num, den) => median(results[endpoint][num].map((r, i) => r[key] / results[endpoint][den][i][key]))
const checks = []
const check = (what, value, op, limit) => {
  const ok = op === '>=' ? value >= limit : value <= limit
  checks.push({ what, value, op, limit, ok })
}

say('\n## Load (medians of per-round values; ratios are medians of per-round ratios)\n')
say('| endpoint | target | req/s | p50 ms | p99 ms | CPU µs/req | errors |')
say('|---|---|---:|---:|---:|---:|---:|')
for (const e of ENDPOINTS) {
  for (const name of NAMES) {
    const rs = results[e.name][name]
    say(`| ${e.name} | ${name} | ${fmt(median(rs.map((r) => r.rps)))} | ${fmt(median(rs.map((r) => r.p50)), 2)} | ` +
      `${fmt(median(rs.map((r) => r.p99)), 2)} | ${fmt(median(rs.map((r) => r.cpuUs)), 1)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`)
  }
}

say('\n## Ratios (req/s and CPU efficiency: higher is better; p99: lower is better)\n')
say('CPU efficiency = baseline CPU µs/req ÷ podinfo CPU µs/req.\n')
say('| endpoint | req/s ÷ fastify | CPU eff. vs fastify | p99 ÷ fastify | req/s ÷ raw | CPU eff. vs raw | fastify req/s ÷ raw |')
say('|---|---:|---:|---:|---:|---:|---:|')
for (const e of ENDPOINTS) {
  const rpsF = ratio(e.name, 'rps', 'podinfo', 'fastify')
  const cpuF = ratio(e.name, 'cpuUs', 'fastify', 'podinfo')
  const p99F = ratio(e.name, 'p99', 'podinfo', 'fastify')
  say(`| ${e.name} | ${fmt(rpsF, 2)} | ${fmt(cpuF, 2)} | ${fmt(p99F, 2)} | ${fmt(ratio(e.name, 'rps', 'podinfo', 'raw'), 2)} | ` +
    `${fmt(ratio(e.name, 'cpuUs', 'raw', 'podinfo'), 2)} | ${fmt(ratio(e.name, 'rps', 'fastify', 'raw'), 2)} |`)
  const errors = results[e.name].podinfo.reduce((a, r) => a + r.errors, 0)
  if (e.path === '/metrics') {
    check(`${e.name} req/s ÷ fastify`, rpsF, '>=', 0.5)
  } else {
    check(`${e.name} req/s ÷ fastify`, rpsF, '>=', 0.9)
    check(`${e.name} CPU eff. vs fastify`, cpuF, '>=', 0.9)
    check(`${e.name} p99 ÷ fastify`, p99F, '<=', 1.2)
  }
  check(`${e.name} podinfo errors`, errors, '<=', 0)
}

say('\n## Startup and memory\n')
say('| target | spawn → /readyz 200 ms | ÷ fastify | idle RSS MB | ÷ fastify | RSS after warm-up MB | RSS after load MB | peak RSS MB |')
say('|---|---:|---:|---:|---:|---:|---:|---:|')
const readyRatio = median(startup.podinfo.readyMs.map((ms, i) => ms / startup.fastify.readyMs[i]))
const idleRatio = median(startup.podinfo.idleMB.map((mb, i) => mb / startup.fastify.idleMB[i]))
for (const name of STARTUP_NAMES) {
  const r = median(startup[name].readyMs.map((ms, i) => ms / startup.fastify.readyMs[i]))
  const m = median(startup[name].idleMB.map((mb, i) => mb / startup.fastify.idleMB[i]))
  const mem = memory[name] ?? { warmMB: [], afterMB: [], peakMB: [] }
  say(`| ${name} | ${fmt(median(startup[name].readyMs))} | ${fmt(r, 2)} | ${fmt(median(startup[name].idleMB), 1)} | ${fmt(m, 2)} | ` +
    `${fmt(median(mem.warmMB), 1)} | ${fmt(median(mem.afterMB), 1)} | ${fmt(median(mem.peakMB), 1)} |`)
}
say('\nstack: the packages podinfo-ts is built on, one route, bundled (bench/stack-floor.mjs); startup and idle memory only.')
// The absolute limits were set on a machine where bare Fastify is ready in 310 ms with 66 MB
// idle; on a slower or busier machine the same limits read as ratios to bare Fastify.
check('spawn → /readyz ms', median(startup.podinfo.readyMs), '<=', 250)
check('spawn → /readyz ÷ fastify (250/310)', readyRatio, '<=', 0.81)
check('idle RSS MB', median(startup.podinfo.idleMB), '<=', 70)
check('idle RSS ÷ fastify (70/66)', idleRatio, '<=', 1.06)
check('RSS after load MB', median(memory.podinfo.afterMB), '<=', 110)

say('\n## Targets\n')
say('| target | value | limit | |')
say('|---|---:|---:|---|')
for (const c of checks) say(`| ${c.what} | ${fmt(c.value, Number.isInteger(c.value) ? 0 : 2)} | ${c.op} ${c.limit} | ${c.ok ? 'met' : 'MISSED'} |`)
say(`\nfinished in ${((Date.now() - began) / 1000).toFixed(0)} s`)

if (opts.json !== undefined) {
  writeFileSync(opts.json, JSON.stringify({ node: process.version, tool: TOOL, pinned: PIN, rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS, startup, memory, results, checks }, null, 2) + '\n')
}
