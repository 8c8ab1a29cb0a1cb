import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS, startUi, type UiOptions } from './chromium.js'

/**
 * The browser UI in Debian's Chromium, headless, against the real app on 127.0.0.1. Every
 * request the page makes elsewhere is aborted, as in an air-gapped cluster.
 */
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install chromium)`)

let browser: Browser
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
})
after(async () => { await browser?.close() })

interface Opened {
  page: Page
  /** URLs of requests that were refused because they left 127.0.0.1. */
  blocked: string[]
  /** Browser console messages and page errors. */
  console: string[]
}

async function open (t: TestContext, url: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  t.after(() => context.close())
  const blocked: string[] = []
  const messages: string[] = []
  await context.route('**/*', async (route) => {
    const target = new URL(route.request().url())
    if (target.protocol === 'data:' || target.hostname === '127.0.0.1') return await route.continue()
    blocked.push(target.href)
    await route.abort('internetdisconnected')
  })
  const page = await context.newPage()
  page.on('console', (msg) => messages.push(msg.text()))
  page.on('pageerror', (err) => messages.push('pageerror: ' + err.message))
  const response = await page.goto(url)
  assert.equal(response?.status(), 200)
  assert.equal(response?.headers()['content-type'], 'text/html; charset=utf-8')
  await page.waitForSelector('body[data-ready="true"]')
  return { page, blocked, console: messages }
}

/** The app on 127.0.0.1 with the repository's ui/, closed after the test. */
async function serveUi (t: TestContext, options: UiOptions = {}): Promise<string> {
  const server = await startUi(options)
  t.after(() => server.close())
  return server.url
}

test('the page shows hostname, message, version, revision and colour from the server', async (t) => {
  const url = await serveUi(t, {
    hostname: 'podinfo-7f9c6d8b4-x2kqz',
    revision: '5f5fcab',
    argv: ['--ui-message', 'hello from the browser test', '--ui-color', '#7b1fa2', '--ui-logo', '']
  })
  const { page, console: messages } = await open(t, url + '/')
  assert.equal(await page.title(), 'podinfo-7f9c6d8b4-x2kqz')
  assert.equal(await page.textContent('h1'), 'hello from the browser test')
  assert.equal(await page.textContent('.served'), 'Served by podinfo-7f9c6d8b4-x2kqz')
  assert.equal((await page.textContent('footer'))?.replace(/\s+/g, ' ').trim(),
    'Powered by podinfo version 6.14.1 revision 5f5fcab Swagger docs')
  assert.equal(await page.getAttribute('footer a#swagger', 'href'), '/swagger/')
  assert.equal(await page.$eval('#hero', (el) => el.style.backgroundColor), 'rgb(123, 31, 162)')
  // The colour fades in: wait for the end of the transition before the screenshot.
  await page.waitForFunction(() => getComputedStyle(document.getElementById('hero') as Element).backgroundColor === 'rgb(123, 31, 162)')
  // Timeline: the first answer goes to entry 1, green for the odd patch number of 6.14.1.
  assert.equal(await page.textContent('#tl-name-1'), '6.14.1')
  assert.equal(await page.getAttribute('#tl-dot-1', 'class'), 'dot green')
  assert.equal(await page.getAttribute('#tl-dot-2', 'class'), 'dot grey lighten-2')
  // An empty --ui-logo shows the built-in graphic, 350 px high.
  assert.equal(await page.getAttribute('body', 'data-logo'), 'fallback')
  assert.equal(await page.isVisible('#logo'), false)
  assert.equal((await page.locator('#logo-fallback').boundingBox())?.height, 350)
  assert.deepEqual(messages.filter((m) => m.startsWith('pageerror')), [])

  const dir = await mkdtemp(join(tmpdir(), 'podinfo-ui-shot-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'ui.png')
  await page.screenshot({ path: file })
  const png = await readFile(file)
  assert.equal(png.subarray(1, 4).toString(), 'PNG')
  assert.equal(png.readUInt32BE(16), 1280) // IHDR width
  assert.equal(png.readUInt32BE(20), 800) // IHDR height
})

test('offline, the default remote logo cannot load and the built-in graphic stands in', async (t) => {
  const url = await serveUi(t)
  const { page, blocked } = await open(t, url + '/')
  await page.waitForSelector('body[data-logo="fallback"]')
  assert.deepEqual(blocked, ['https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif'])
  assert.equal(await page.isVisible('#logo-fallback'), true)
  assert.equal(await page.isVisible('#logo'), false)
  assert.equal((await page.locator('#logo-fallback').boundingBox())?.height, 350)
  assert.equal(await page.textContent('h1'), 'greetings from podinfo v6.14.1')
  assert.equal(await page.$eval('#hero', (el) => getComputedStyle(el).backgroundColor), 'rgb(52, 87, 124)')
})

test('a reachable --ui-logo is shown at 350 px instead of the built-in graphic', async (t) => {
  // A 2×1 SVG served from 127.0.0.1.
  const images = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/svg+xml' })
    res.end('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#ffca28"/></svg>')
  })
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => images.close(() => resolve())))
  const logo = `http://127.0.0.1:${(images.address() as { port: number }).port}/logo.svg`
  const url = await serveUi(t, { argv: ['--ui-logo', logo] })
  const { page, blocked } = await open(t, url + '/')
  await page.waitForSelector('body[data-logo="remote"]')
  assert.deepEqual(blocked, [])
  assert.equal(await page.getAttribute('#logo', 'src'), logo)
  assert.equal(await page.isVisible('#logo'), true)
  assert.equal(await page.isVisible('#logo-fallback'), false)
  const box = await page.locator('#logo').boundingBox()
  assert.deepEqual([box?.width, box?.height], [700, 350])
})

test('the page refreshes /api/info every 3 s and the timeline alternates', async (t) => {
  const url = await serveUi(t, { argv: ['--ui-logo', ''] })
  const { page } = await open(t, url + '/')
  const infos: number[] = []
  page.on('request', (request) => { if (request.url() === url + '/api/info') infos.push(Date.now()) })
  await page.waitForFunction(() => document.getElementById('tl-name-2')?.textContent === '6.14.1', undefined, { timeout: 10_000 })
  assert.equal(await page.getAttribute('#tl-dot-2', 'class'), 'dot green')
  assert.equal(await page.getAttribute('#tl-dot-1', 'class'), 'dot green lighten-2')
  assert.ok(infos.length >= 1)
})

test('Ping posts to {P}/api/echo with podinfo\'s headers and body and counts in the badge', async (t) => {
  const url = await serveUi(t, { argv: ['--prefix', '/podinfo', '--ui-logo', ''] })
  const { page, console: messages } = await open(t, url + '/podinfo')
  assert.equal(await page.getAttribute('footer a#swagger', 'href'), '/podinfo/swagger/')
  assert.equal(await page.textContent('#pings'), '0')
  for (const n of [1, 2]) {
    const logged = page.waitForEvent('console', (msg) => msg.text().startsWith('Request successful'))
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url() === url + '/podinfo/api/echo'),
      page.click('#ping')
    ])
    assert.equal(request.method(), 'POST')
    assert.equal(request.headers()['content-type'], 'application/json; charset=UTF-8')
    assert.match(request.headers()['x-app'] ?? '', /^0\.\d+$|^0$/)
    const body = JSON.parse(request.postData() ?? '') as { random: number }
    assert.deepEqual(Object.keys(body), ['random'])
    assert.equal(typeof body.random, 'number')
    const response = await request.response()
    assert.equal(response?.status(), 202)
    assert.equal(response?.headers()['x-color'], '#34577c')
    await page.waitForFunction((count) => document.getElementById('pings')?.textContent === String(count), n)
    await logged
  }
  assert.deepEqual(messages.filter((m) => m.startsWith('pageerror') || m.startsWith('Request failed')), [])
})

test('a hostile --ui-message and hostname are shown as text, never run', async (t) => {
  const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
  const url = await serveUi(t, { hostname: '"><svg onload="window.pwned=3">', argv: ['--ui-message', evil, '--ui-logo', ''] })
  const { page } = await open(t, url + '/')
  assert.equal(await page.textContent('h1'), evil)
  assert.equal(await page.$$eval('h1 *', (nodes) => nodes.length), 0)
  assert.equal(await page.title(), '"><svg onload="window.pwned=3">')
  assert.equal(await page.textContent('#hostname'), '"><svg onload="window.pwned=3">')
  assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined)
})
