/**
 * The bytes both baselines serve, identical to podinfo's answers with default flags:
 * `GET /` (runtime info, Go-style indented JSON), `/healthz` and `/readyz`, the echo headers,
 * and `/metrics` (a capture of podinfo's own exposition, passed in a file by bench/run.mjs).
 */
import { readFileSync } from 'node:fs'
import { hostname, cpus } from 'node:os'

export const JSON_TYPE = 'application/json; charset=utf-8'
export const METRICS_TYPE = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores'

const info = {
  hostname: hostname(),
  version: '6.14.1',
  revision: 'unknown',
  color: '#34577c',
  logo: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif',
  message: 'greetings from podinfo v6.14.1',
  goos: 'linux',
  goarch: 'amd64',
  runtime: process.version,
  num_goroutine: '2',
  num_cpu: String(cpus().length)
}

export const ROOT = Buffer.from(JSON.stringify(info, null, 2))
export const OK = Buffer.from(JSON.stringify({ status: 'OK' }, null, 2))

export const ECHO_HEADERS = {
  'x-color': '#34577c',
  'content-type': 'application/octet-stream',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'"
}

/** The `/metrics` body: the file named by `--metrics-body`, else a short placeholder. */
export function metricsBody (argv = process.argv) {
  const i = argv.indexOf('--metrics-body')
  return i === -1 ? Buffer.from('# no metrics\n') : readFileSync(argv[i + 1])
}

/** `--port N` from the command line. */
export function portArg (argv = process.argv) {
  const i = argv.indexOf('--port')
  return i === -1 ? 0 : Number(argv[i + 1])
}
