import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The repository root: tests run podcli from source through tsx, so no build is needed. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface PodcliResult {
  code: number | null
  stdout: string
  stderr: string
  /** stderr log lines split into their tab-separated parts. */
  logs: LogLine[]
  elapsedMs: number
}

export interface LogLine {
  ts: string
  level: string
  caller: string
  message: string
  fields: Record<string, unknown>
}

export function parseLogs (stderr: string): LogLine[] {
  return stderr.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l)).map((line) => {
    const [ts, level, caller, message, json] = line.split('\t')
    return { ts, level, caller, message, fields: json !== undefined ? JSON.parse(json) : {} }
  })
}

/** Start the real podcli (`node --import tsx cli/index.ts …`). */
export function spawnPodcli (args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' }
  })
}

/** Run podcli to completion (killing it after `timeoutMs`) and collect its output. */
export async function podcli (args: string[], opts: { stdin?: string, timeoutMs?: number } = {}): Promise<PodcliResult> {
  const started = Date.now()
  const child = spawnPodcli(args)
  return await collect(child, started, opts)
}

export async function collect (child: ChildProcess, started: number, opts: { stdin?: string, timeoutMs?: number } = {}): Promise<PodcliResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  if (opts.stdin !== undefined) child.stdin?.end(opts.stdin)
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
  clearTimeout(timer)
  return { code, stdout, stderr, logs: parseLogs(stderr), elapsedMs: Date.now() - started }
}
