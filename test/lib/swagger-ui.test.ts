import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { swaggerUiAssets } from '../../lib/swagger-ui.js'

function tempDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-swagger-ui-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('swaggerUiAssets: the files of the folder by name, without index.html, csp.json and folders', async (t) => {
  const dir = tempDir(t)
  for (const name of ['swagger-ui.css', 'index.html', 'csp.json', 'LICENSE']) writeFileSync(join(dir, name), name)
  mkdirSync(join(dir, 'sub'))
  const assets = await swaggerUiAssets(dir)
  assert.deepEqual([...assets.keys()].sort(), ['LICENSE', 'swagger-ui.css'])
  const css = await assets.get('swagger-ui.css')?.()
  assert.deepEqual(css, { type: 'text/css; charset=utf-8', body: Buffer.from('swagger-ui.css') })
  assert.equal((await assets.get('LICENSE')?.())?.type, 'application/octet-stream')
})

test('swaggerUiAssets: a file is read on its first request and kept; a failed read is tried again', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'swagger-ui-bundle.js'), 'first')
  writeFileSync(join(dir, 'favicon-16x16.png'), 'png')
  const assets = await swaggerUiAssets(dir)
  const bundle = assets.get('swagger-ui-bundle.js')
  const favicon = assets.get('favicon-16x16.png')
  assert.ok(bundle !== undefined && favicon !== undefined)

  // Listed at startup, read when asked for: what is on disk then is what is served.
  writeFileSync(join(dir, 'swagger-ui-bundle.js'), 'second')
  const [a, b] = await Promise.all([bundle(), bundle()])
  assert.equal(a.body.toString(), 'second')
  assert.equal(a, b, 'concurrent first requests share one read')
  writeFileSync(join(dir, 'swagger-ui-bundle.js'), 'third')
  assert.equal(await bundle(), a, 'kept after the first read')

  unlinkSync(join(dir, 'favicon-16x16.png'))
  await assert.rejects(favicon(), { code: 'ENOENT' })
  writeFileSync(join(dir, 'favicon-16x16.png'), 'back')
  assert.equal((await favicon()).body.toString(), 'back')
})
