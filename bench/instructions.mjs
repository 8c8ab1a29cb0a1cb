#!/usr/bin/env node
/**
 * `npm run bench:instructions`: the CPU cost of a request as a count of machine instructions,
 * podinfo-ts against the same two baselines as `npm run bench` (raw `node:http` and bare
 * Fastify), for `GET /`, `GET /healthz`, `POST /echo` (1 KiB) and `GET /metrics`.
 *
 * Timings on a shared machine move from run to run and from process to process; instruction
 * counts move far less (README, Performance: read one figure as ±5%). Each server runs under
 * valgrind's callgrind, which counts the instructions its process executes in user space (all
 * threads: JavaScript, the JIT compilers, the garbage collector). For each endpoint the script
 * sends requests on one keep-alive connection, one at a time: after a warm-up, windows of
 * `--window` requests are counted (`callgrind_control --dump` between them) until two in a row
 * agree within 1%; their mean divided by the window is the figure. What the server executes
 * while idle (timers), at the rate measured over 5 idle seconds before the windows, is taken
 * out: it depends on wall time, which callgrind stretches and a busy machine stretches further.
 * The kernel's share of a request (socket reads and writes, the same for every target) is not
 * counted, so the ratios here are those of the JavaScript work, which `npm run bench` measures
 * in time with the kernel's share included.
 *
 * Under callgrind a server runs some 50 times slower: a full run takes about 15–25 minutes,
 * which is why `npm run bench` does not include it. Only 127.0.0.1 is contacted. Needs
 * valgrind (Debian: `apt-get install valgrind`).
 *
 *   node bench/instructions.mjs [--entry dist/bundle/server.js] [--targets podinfo,fastify,raw]
 *     [--endpoints root,healthz,echo,metrics] [--warmup 10000] [--window 5000] [--json FILE]
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { freePort, get } from './net.mjs'

const ROOT = join(import.meta.dirname, '..')
const USAGE = 'usage: node bench/instructions.mjs [--entry dist/bundle/server.js] [--targets podinfo,fastify,raw]\n' +
  '         [--endpoints root,healthz,echo,metrics] [--warmup 10000] [--window 5000] [--json FILE]\n'

const { values: opts } = parseArgs({
  options: {
    entry: { type: 'string', default: 'dist/bundle/server.js' },
    targets: { type: 'string', default: 'podinfo,fastify,raw' },
    endpoints: { type: 'string', default: 'root,healthz,echo,metrics' },
    warmup: { type: 'string', default: '10000' },
    window: { type: 'string', default: '5000' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
})
if (opts.help === true) {
  process.stdout.write(USAGE)
  process.exit(0)
}
const fail = (message) => {
  process.stderr.write(`bench:instructions: ${message}\n`)
  process.exit(2)
}

const WARMUP = Number(opts.warmup)
const WINDOW = Number(opts.window)
const MAX_WINDOWS = 8
const TOLERANCE = 0.01
const IDLE_MS = 5000
if (!Number.isInteger(WARMUP) || WARMUP < 0 || !Number.isInteger(WINDOW) || WINDOW < 100) {
  fail('--warmup must be a whole number ≥ 0 and --window one ≥ 100')
}
const entry = join(ROOT, opts.entry)
if (!existsSync(entry)) fail(`${opts.entry} does not exist; run \`npm run build:bundle\``)
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  execFileSync('callgrind_control', ['-h'], { stdio: 'ignore' })
} catch {
  fail('valgrind and callgrind_control are needed (Debian: apt-get install valgrind)')
}

const work = mkdtempSync(join(tmpdir(), 'podinfo-instructions-'))
const BODY = Buffer.alloc(1024, 'podinfo ')
const METRICS_FILE = join(work, 'metrics.txt')

const TARGETS = {
  podinfo: (port) => [entry, '--port', String(port), '--host', '127.0.0.1'],
  fastify: (port) => [join(ROOT, 'bench/bare-fastify.mjs'), '--port', String(port), '--metrics-body', METRICS_FILE],
  raw: (port) => [join(ROOT, 'bench/raw-http.mjs'), '--port', String(port), '--metrics-body', METRICS_FILE]
}
const ENDPOINTS = {
  root: { name: 'GET /', method: 'GET', path: '/', status: 200 },
  healthz: { name: 'GET /healthz', method: 'GET', path: '/healthz', status: 200 },
  echo: { name: 'POST /echo 1KiB', method: 'POST', path: '/echo', status: 202, body: BODY },
  metrics: { name: 'GET /metrics', method: 'GET', path: '/metrics', status: 200 }
}
const pick = (list, known, what) => list.split(',').map((n) => n.trim()).filter(Boolean).map((n) => {
  if (!(n in known)) fail(`unknown ${what} ${JSON.stringify(n)}; known: ${Object.keys(known).join(', ')}`)
  return n
})
const targets = pick(opts.targets, TARGETS, 'target')
const endpoints = pick(opts.endpoints, ENDPOINTS, 'endpoint').map((n) => ENDPOINTS[n])

const children = new Set()
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); rmSync(work, { recursive: true, force: true }) })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

/** Starts a target (under callgrind when `out` is given) and waits for `/readyz`. */
async function start (name, out) {
  const port = await freePort()
  const logFile = join(work, `${name}.log`)
  const log = openSync(logFile, 'w')
  const node = [process.execPath, ...TARGETS[name](port)]
  const [cmd, ...args] = out === undefined
    ? node
    : ['valgrind', '--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-line=no', ...node]
  const child = spawn(cmd, args, { stdio: ['ignore', log, log] })
  children.add(child)
  let exited = false
  child.once('exit', () => { exited = true; children.delete(child) })
  const deadline = Date.now() + 300_000
  while ((await get(port, '/readyz')).status !== 200) {
    if (exited) fail(`${name} exited during startup:\n${readFileSync(logFile, 'utf8')}`)
    if (Date.now() > deadline) fail(`${name} not ready after 300 s`)
    await sleep(200)
  }
  return {
    port,
    pid: child.pid,
    stop: async () => {
      if (exited) return
      const done = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([done, sleep(30_000).then(() => child.kill('SIGKILL'))])
    }
  }
}

/** Sends `amount` requests, one at a time on one connection; all must answer as expected. */
async function send (port, endpoint, amount) {
  if (amount === 0) return
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${endpoint.path}`,
    method: endpoint.method,
    body: endpoint.body,
    headers: endpoint.body === undefined ? {} : { 'content-type': 'application/octet-stream' },
    connections: 1,
    pipelining: 1,
    amount,
    timeout: 60
  })
  const expected = r.statusCodeStats?.[endpoint.status]?.count ?? 0
  if (expected < amount || r.errors + r.timeouts > 0) {
    fail(`${endpoint.name}: ${expected} of ${amount} requests answered ${endpoint.status} ` +
      `(status codes ${JSON.stringify(r.statusCodeStats)}, ${r.errors} errors, ${r.timeouts} timeouts)`)
  }
}

/** Dumps the counters (which callgrind then zeroes) and returns the instructions counted. */
function dump (pid, out, n) {
  execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' })
  const text = readFileSync(`${out}.${n}`, 'latin1')
  const total = /^summary: (\d+)/m.exec(text) ?? /^totals: (\d+)/m.exec(text)
  if (total === null) fail(`no instruction count in ${out}.${n}`)
  rmSync(`${out}.${n}`)
  return Number(total[1])
}

const began = Date.now()
const say = (line = '') => process.stdout.write(line + '\n')
say(`podinfo-ts instructions per request: ${opts.entry} vs bare Fastify vs raw node:http`)
say(`node ${process.version}, ${execFileSync('valgrind', ['--version']).toString().trim()}; ` +
  `warm-up ${WARMUP} requests, windows of ${WINDOW}, one connection\n`)

// podinfo's /metrics body after some traffic, so that the baselines serve the same bytes.
{
  writeFileSync(METRICS_FILE, '')
  const p = await start('podinfo')
  for (const e of Object.values(ENDPOINTS)) await send(p.port, e, 20)
  writeFileSync(METRICS_FILE, (await get(p.port, '/metrics')).body)
  await p.stop()
}

const counts = {} // counts[endpoint][target] = { perRequest, windows, idlePerSecond }
for (const name of targets) {
  const out = join(work, `${name}.callgrind`)
  const server = await start(name, out)
  let dumps = 0
  for (const e of endpoints) {
    await send(server.port, e, WARMUP)
    dump(server.pid, out, ++dumps) // drops the warm-up (and, the first time, startup)
    // What the server does with no requests (timers such as the event-loop-delay monitor)
    // depends on wall time, which callgrind stretches, and a busy machine stretches more:
    // its rate is measured here and taken out of each window.
    let t0 = performance.now()
    await sleep(IDLE_MS)
    const idlePerSecond = dump(server.pid, out, ++dumps) / ((performance.now() - t0) / 1000)
    const windows = []
    let settled = false
    while (!settled && windows.length < MAX_WINDOWS) {
      t0 = performance.now()
      await send(server.port, e, WINDOW)
      const counted = dump(server.pid, out, ++dumps)
      const seconds = (performance.now() - t0) / 1000
      windows.push((counted - idlePerSecond * seconds) / WINDOW)
      const [a, b] = windows.slice(-2)
      settled = b !== undefined && Math.abs(a - b) / Math.min(a, b) <= TOLERANCE
    }
    const perRequest = settled ? (windows.at(-1) + windows.at(-2)) / 2 : NaN
    counts[e.name] ??= {}
    counts[e.name][name] = { perRequest, windows, idlePerSecond }
    say(`${name} ${e.name}: ${settled ? Math.round(perRequest) : 'not settled'} instructions per request ` +
      `(windows: ${windows.map(Math.round).join(', ')}; idle: ${Math.round(idlePerSecond)}/s; ` +
      `${((Date.now() - began) / 1000).toFixed(0)} s)`)
  }
  await server.stop()
}

const fmt = (x, d) => Number.isFinite(x) ? x.toFixed(d) : '-'
const ratio = (row, a, b) => (row[a]?.perRequest ?? NaN) / (row[b]?.perRequest ?? NaN)
say('\n## Instructions per request (user space, all threads; efficiency = baseline ÷ podinfo)\n')
say(`| endpoint | ${targets.join(' | ')} | efficiency vs fastify | efficiency vs raw |`)
say(`|---|${targets.map(() => '---:').join('|')}|---:|---:|`)
for (const e of endpoints) {
  const row = counts[e.name]
  say(`| ${e.name} | ${targets.map((t) => fmt(row[t].perRequest, 0)).join(' | ')} | ` +
    `${fmt(ratio(row, 'fastify', 'podinfo'), 2)} | ${fmt(ratio(row, 'raw', 'podinfo'), 2)} |`)
}
say(`\nfinished in ${((Date.now() - began) / 1000).toFixed(0)} s`)

if (opts.json !== undefined) {
  writeFileSync(opts.json, JSON.stringify({ node: process.version, warmup: WARMUP, window: WINDOW, counts }, null, 2) + '\n')
}
