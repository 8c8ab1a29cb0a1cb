import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { TestContext } from 'node:test'

const ROOT = join(import.meta.dirname, '..')

export interface Podinfo {
  /** `http://127.0.0.1:<port>` of the HTTP listener. */
  url: string
  port: number
  grpcPort: number
  metricsPort: number
  securePort: number
  child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  logs: () => string
  /** The JSON log lines written to stderr so far. */
  logLines: () => Array<Record<string, unknown>>
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>
  /** Sends SIGTERM (or the given signal) and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | string>
}

export interface StartOptions {
  args?: string[]
  env?: Record<string, string>
  /** Also open these listeners on free ports. */
  grpc?: boolean
  metrics?: boolean
  secure?: boolean
  /** Wait until this path answers 200 (default `/readyz`); `false` to return at once. */
  waitFor?: string | false
  /** Run the compiled `dist/server.js` instead of the TypeScript sources. */
  dist?: boolean
  /** Run `bin/podinfo` (implies dist). */
  bin?: boolean
}

/** A free TCP port on 127.0.0.1. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * A free TCP port on 127.0.0.1 below the kernel's ephemeral range, for a server that a test
 * stops and starts again on the same port (Redis in the outage tests). A port from
 * `freePort()` is an ephemeral one: while it is closed, any outgoing connection of the test
 * (or the server's reconnect attempts) may take it as its source port, and the restart then
 * fails with "address already in use".
 */
export async function freeServicePort (): Promise<number> {
  let low = 32768
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
  } catch {}
  const floor = Math.min(10_000, low - 1000)
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor))
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error(`no free port in [${floor}, ${low})`)
}

/**
 * Spawns the real podinfo process on free ports (HTTP bound to 127.0.0.1) and waits until it
 * is ready. Killed after the test if it is still running.
 */
export async function startPodinfo (t: TestContext, options: StartOptions = {}): Promise<Podinfo> {
  const port = await freePort()
  const grpcPort = options.grpc === true ? await freePort() : 0
  const metricsPort = options.metrics === true ? await freePort() : 0
  const securePort = options.secure === true ? await freePort() : 0
  const args = [
    `--port=${port}`, '--host=127.0.0.1',
    ...(grpcPort > 0 ? [`--grpc-port=${grpcPort}`] : []),
    ...(metricsPort > 0 ? [`--port-metrics=${metricsPort}`] : []),
    ...(securePort > 0 ? [`--secure-port=${securePort}`] : []),
    ...(options.args ?? [])
  ]
  const command = options.bin === true
    ? [join(ROOT, 'bin', 'podinfo')]
    : options.dist === true
      ? [process.execPath, join(ROOT, 'dist', 'server.js')]
      // One process, so signals and exit codes are podinfo's own (the tsx CLI would add a
      // parent process); autoload is told that TypeScript files are fine here.
      : [process.execPath, '--import', 'tsx', join(ROOT, 'server.ts')]
  const child = spawn(command[0] as string, [...command.slice(1), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PODINFO_DATA_PATH: '/tmp',
      FASTIFY_AUTOLOAD_TYPESCRIPT: '1',
      ...options.env
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so that the SIGKILL below also reaches the server that the
    // tsx wrapper spawns (a surviving grandchild would keep our pipes, and the test, open)
    detached: true
  })
  let output = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); stderr += chunk.toString() })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try { process.kill(-child.pid, 'SIGKILL') } catch { child.kill('SIGKILL') }
    }
  })

  const podinfo: Podinfo = {
    url: `http://127.0.0.1:${port}`,
    port,
    grpcPort,
    metricsPort,
    securePort,
    child,
    logs: () => output,
    logLines: () => stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal)
      return await exited
    }
  }
  if (options.waitFor === false) return podinfo
  const path = options.waitFor ?? '/readyz'
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`podinfo exited with ${child.exitCode}:\n${output}`)
    try {
      const response = await fetch(podinfo.url + path)
      if (response.status === 200) return podinfo
    } catch {}
    if (Date.now() > deadline) throw new Error(`podinfo did not become ready:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
