#!/usr/bin/env node
/**
 * `npm test`: runs every `test/<area>/*.test.ts` with node:test (through tsx) on the Node that
 * runs this script, under c8 coverage unless `--no-coverage` is given. Paths given as
 * arguments narrow the run to those files.
 *
 * It lists the files itself instead of leaving a glob to the shell or to Node: an unmatched
 * glob would reach Node 22+ as a pattern that matches nothing, and `node --test` would then
 * report "tests 0" and pass. Here no test files is an error.
 *
 * Nothing a test leaves behind may stall the run: `--test-force-exit` ends each file once its
 * tests are done, even if a timer or socket is still open, and `--test-timeout` fails a test
 * that has not finished after 15 minutes, which is far above the slowest test (under a
 * minute); on Node 20 the limit also covers each file as a whole.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const args = process.argv.slice(2)
const coverage = !args.includes('--no-coverage')
const named = args.filter((arg) => arg !== '--no-coverage')

const missing = named.filter((file) => !existsSync(join(root, file)))
if (missing.length > 0) {
  console.error(`no such test file: ${missing.join(', ')}`)
  process.exit(1)
}

const files = named.length > 0
  ? named
  : readdirSync(join(root, 'test'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => readdirSync(join(root, 'test', dir.name))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => `test/${dir.name}/${name}`))
    .sort()
if (files.length === 0) {
  console.error('no test files found under test/<area>/*.test.ts')
  process.exit(1)
}

const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs')
const c8 = join(root, 'node_modules', 'c8', 'bin', 'c8.js')
const command = [tsx, '--test', '--test-force-exit', `--test-timeout=${15 * 60_000}`, ...files]
const argv = coverage
  ? [c8, '--check-coverage=false', '--exclude=grpc/gen/**', '--exclude=test/**', '--exclude=dist/**', process.execPath, ...command]
  : command
const result = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' })
if (result.error !== undefined) {
  console.error(`could not run the tests: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
