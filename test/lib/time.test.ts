import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..')

/** Runs both formatters in a child process with the given TZ (the zone is read at startup). */
function inZoneAll (tz: string, isos: string[]): Array<[string, string]> {
  const script = `import { rfc3339, rfc3339Nano } from './lib/time.ts'
const dates = ${JSON.stringify(isos)}.map((iso) => new Date(iso))
process.stdout.write(JSON.stringify(dates.map((d) => [rfc3339Nano(d), rfc3339(d)])))`
  const out = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '--input-type=module', '-e', script], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', TZ: tz }, encoding: 'utf8'
  })
  assert.equal(out.status, 0, out.stderr)
  return JSON.parse(out.stdout) as Array<[string, string]>
}

function inZone (tz: string, iso: string): [string, string] {
  return inZoneAll(tz, [iso])[0] as [string, string]
}

test('rfc3339Nano trims trailing fractional zeros and drops a zero fraction (UTC: Z)', () => {
  const [whole, hundredTwenty, one, hundred, rounded] = inZoneAll('UTC', [
    '2026-07-22T10:24:32.000Z', '2026-07-22T10:00:00.120Z', '2026-07-22T10:00:00.001Z', '2026-07-22T10:00:00.100Z', '2026-07-22T10:24:32.999Z'
  ])
  assert.equal(whole?.[0], '2026-07-22T10:24:32Z')
  assert.equal(hundredTwenty?.[0], '2026-07-22T10:00:00.12Z')
  assert.equal(one?.[0], '2026-07-22T10:00:00.001Z')
  assert.equal(hundred?.[0], '2026-07-22T10:00:00.1Z')
  assert.equal(rounded?.[1], '2026-07-22T10:24:32Z')
})

test('timestamps use the local zone as ±hh:mm, and Z in UTC', () => {
  assert.deepEqual(inZone('UTC', '2026-07-22T10:24:32.500Z'), ['2026-07-22T10:24:32.5Z', '2026-07-22T10:24:32Z'])
  assert.deepEqual(inZone('Europe/Berlin', '2026-07-22T10:24:32.000Z'), ['2026-07-22T12:24:32+02:00', '2026-07-22T12:24:32+02:00'])
  assert.deepEqual(inZone('America/St_Johns', '2026-01-05T01:00:00.250Z'), ['2026-01-04T21:30:00.25-03:30', '2026-01-04T21:30:00-03:30'])
})
