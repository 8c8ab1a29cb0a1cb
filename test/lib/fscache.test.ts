import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, renameSync, rmSync, unlinkSync, readlinkSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigWatcher, readConfigDir, type WatcherLogger } from '../../lib/fscache.js'

interface Line { level: string, msg: string }

function recorder (): { log: WatcherLogger, lines: Line[] } {
  const lines: Line[] = []
  const add = (level: string) => (_obj: object, msg: string) => { lines.push({ level, msg }) }
  return { lines, log: { info: add('info'), warn: add('warn'), error: add('error') } }
}

function tempDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-fscache-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * What the kubelet's atomic writer does for a ConfigMap/Secret volume: a new timestamped
 * directory, `..data_tmp` → it, rename over `..data`, then the per-key symlinks, then the
 * old directory goes.
 */
function kubeletWrite (dir: string, files: Record<string, string>, generation: number): void {
  const ts = `..2026_11_22_05_00_0${generation}.${1000 + generation}`
  mkdirSync(join(dir, ts))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, ts, name), content)
  const dataLink = join(dir, '..data')
  const old = existsSync(dataLink) ? readlinkSync(dataLink) : undefined
  symlinkSync(ts, join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), dataLink)
  for (const name of Object.keys(files)) {
    if (!existsSync(join(dir, name))) symlinkSync(join('..data', name), join(dir, name))
  }
  if (old !== undefined) {
    for (const name of readConfigDirNames(join(dir, old))) {
      if (!(name in files)) unlinkSync(join(dir, name))
    }
    rmSync(join(dir, old), { recursive: true })
  }
}

function readConfigDirNames (dir: string): string[] {
  return Object.keys(readConfigDir(dir))
}

function startWatcher (t: TestContext, dir: string): { watcher: ConfigWatcher, lines: Line[] } {
  const { log, lines } = recorder()
  const watcher = new ConfigWatcher(dir, { log, pollMs: 25, settleMs: 10 })
  // the watcher never holds the process open by itself (persistent: false, unref'd timers)
  const keepAlive = setInterval(() => {}, 1000)
  t.after(() => { watcher.close(); clearInterval(keepAlive) })
  return { watcher, lines }
}

test('readConfigDir: regular files and symlinks to files; no directories, no names with "..", no symlinks to directories', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'app.properties'), 'key=value\n')
  writeFileSync(join(dir, 'bytes.bin'), Buffer.from([0x61, 0xff, 0x62]))
  writeFileSync(join(dir, 'a..b'), 'hidden')
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub', 'nested'), 'nested')
  writeFileSync(join(dir, 'target'), 'through a link')
  symlinkSync('target', join(dir, 'link'))
  symlinkSync('sub', join(dir, 'dirlink'))
  symlinkSync('missing', join(dir, 'dangling'))
  assert.deepEqual(readConfigDir(dir), {
    'app.properties': 'key=value\n',
    'bytes.bin': 'a\ufffdb',
    target: 'through a link',
    link: 'through a link'
  })
})

test('readConfigDir fails on a real read error (a symlink loop)', (t) => {
  const dir = tempDir(t)
  symlinkSync('loop', join(dir, 'loop'))
  assert.throws(() => readConfigDir(dir), { code: 'ELOOP' })
})

test('ConfigWatcher follows repeated kubelet ..data swaps, adding and removing keys', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'app.properties': 'key=value\n', 'config.yaml': 'port: 9898\n' }, 1)
  const { watcher, lines } = startWatcher(t, dir)
  assert.equal(watcher.start(), true)
  assert.deepEqual({ ...watcher.files }, { 'app.properties': 'key=value\n', 'config.yaml': 'port: 9898\n' })

  const reloaded = once(watcher, 'reload')
  kubeletWrite(dir, { 'app.properties': 'key=changed\n', 'new.txt': 'new\n' }, 2)
  await reloaded
  assert.deepEqual({ ...watcher.files }, { 'app.properties': 'key=changed\n', 'new.txt': 'new\n' })

  for (let generation = 3; generation <= 6; generation++) {
    const next = once(watcher, 'reload')
    kubeletWrite(dir, { 'app.properties': `generation=${generation}\n` }, generation)
    await next
    assert.deepEqual({ ...watcher.files }, { 'app.properties': `generation=${generation}\n` })
  }
  assert.ok(lines.some((l) => l.level === 'info' && l.msg === `fscache reload ${dir}`))
})

test('ConfigWatcher ignores plain edits until the next ..data swap', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'a.txt': 'one' }, 1)
  writeFileSync(join(dir, 'plain.txt'), 'before')
  const { watcher } = startWatcher(t, dir)
  watcher.start()
  writeFileSync(join(dir, 'plain.txt'), 'after')
  await sleep(200)
  assert.equal(watcher.files['plain.txt'], 'before')
  const reloaded = once(watcher, 'reload')
  kubeletWrite(dir, { 'a.txt': 'two' }, 2)
  await reloaded
  assert.deepEqual({ ...watcher.files }, { 'a.txt': 'two', 'plain.txt': 'after' })
})

test('ConfigWatcher keeps serving after the directory vanishes and reloads when it is back', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'a.txt': 'one' }, 1)
  const { watcher, lines } = startWatcher(t, dir)
  watcher.start()
  rmSync(dir, { recursive: true })
  await sleep(100)
  assert.deepEqual({ ...watcher.files }, { 'a.txt': 'one' })
  const reloaded = once(watcher, 'reload')
  mkdirSync(dir)
  kubeletWrite(dir, { 'b.txt': 'back' }, 2)
  await reloaded
  assert.deepEqual({ ...watcher.files }, { 'b.txt': 'back' })
  assert.ok(lines.some((l) => l.msg === 'config directory vanished, waiting for it'))
})

test('ConfigWatcher: a failed first load logs "config watch error", serves {} and recovers on the next swap', async (t) => {
  const dir = tempDir(t)
  kubeletWrite(dir, { 'a.txt': 'one' }, 1)
  symlinkSync('loop', join(dir, 'loop'))
  const { watcher, lines } = startWatcher(t, dir)
  assert.equal(watcher.start(), false)
  assert.deepEqual({ ...watcher.files }, {})
  assert.ok(lines.some((l) => l.level === 'error' && l.msg === 'config watch error'))

  // a failed reload keeps the previous files
  assert.equal(watcher.reload(), false)
  assert.ok(lines.some((l) => l.level === 'error' && l.msg.startsWith('fscache update error ')))

  unlinkSync(join(dir, 'loop'))
  const reloaded = once(watcher, 'reload')
  kubeletWrite(dir, { 'a.txt': 'two' }, 2)
  await reloaded
  assert.deepEqual({ ...watcher.files }, { 'a.txt': 'two' })
})

test('ConfigWatcher on a missing directory waits for it', async (t) => {
  const parent = tempDir(t)
  const dir = join(parent, 'later')
  const { watcher } = startWatcher(t, dir)
  assert.equal(watcher.start(), false)
  const reloaded = once(watcher, 'reload')
  mkdirSync(dir)
  writeFileSync(join(dir, 'x'), 'y')
  await reloaded
  assert.deepEqual({ ...watcher.files }, { x: 'y' })
})
