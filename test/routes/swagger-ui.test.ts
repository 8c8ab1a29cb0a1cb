// Swagger UI in a real browser (Debian's Chromium, headless) against the app on 127.0.0.1:
// the page loads its files from `{P}/swagger/` and renders every operation of the document.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { after, before, test, type TestContext } from 'node:test'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import { build } from '../helper.js'

const CHROMIUM = '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install chromium)`)

let browser: Browser | undefined
before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']
  })
})
after(async () => { await browser?.close() })

async function render (t: TestContext, argv: string[], path: string): Promise<void> {
  const app = await build(t, {}, { argv })
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  // Closed here rather than in an after hook: the app's own hook (registered first, by build)
  // would otherwise wait for the browser's keep-alive connections while the browser waits
  // for its turn to close.
  const context = await (browser as Browser).newContext()
  try {
    await check(context, base, app.apiDocs.swagger, path)
  } finally {
    await context.close()
  }
}

async function check (context: BrowserContext, base: string, doc: { paths: Record<string, object> }, path: string): Promise<void> {
  const outside: string[] = []
  const failed: string[] = []
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url())
    if (url.protocol === 'data:' || url.hostname === '127.0.0.1') return await route.continue()
    outside.push(url.href)
    await route.abort('internetdisconnected')
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('response', (res) => { if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`) })

  const response = await page.goto(base + path + '/swagger/')
  assert.equal(response?.status(), 200)
  assert.equal(new URL(page.url()).pathname, path + '/swagger/index.html')
  await page.waitForSelector('.opblock', { timeout: 30_000 })
  assert.equal(await page.textContent('.info .title'), 'Podinfo API 2.0 OAS 2.0')
  const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0)
  assert.equal(await page.locator('.opblock').count(), operations)
  assert.ok(await page.locator('.opblock-summary-path[data-path="/token/validate"]').count() === 1)
  assert.ok((await page.textContent('.base-url'))?.includes(`Base URL: /${path === '' ? '' : path.slice(1)}`))
  assert.deepEqual(failed, [])
  assert.deepEqual(outside, [])
  assert.deepEqual(errors, [])
}

test('Swagger UI renders every operation of swagger.json', async (t) => {
  await render(t, [], '')
})

test('Swagger UI with --prefix loads everything under the prefix', async (t) => {
  await render(t, ['--prefix', '/api/v1'], '/api/v1')
})
