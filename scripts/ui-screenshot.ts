/**
 * Regenerates the README's screenshot of the browser UI, offline, with Debian's Chromium:
 *   npx tsx scripts/ui-screenshot.ts [docs/ui.png]
 */
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS, startUi } from '../test/ui/chromium.js'

const file = process.argv[2] ?? 'docs/ui.png'
const server = await startUi({ hostname: 'podinfo-7f9c6d8b4-x2kqz', argv: ['--ui-logo', ''] })
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 800 } })
  await page.goto(server.url + '/')
  await page.waitForSelector('body[data-ready="true"]')
  await page.click('#ping')
  await page.waitForFunction(() => document.getElementById('pings')?.textContent === '1')
  await page.waitForFunction(() => document.getElementById('tl-name-2')?.textContent !== '', undefined, { timeout: 10_000 })
  await page.mouse.move(0, 0)
  await page.waitForTimeout(600) // let the colour transitions settle
  await page.screenshot({ path: file })
} finally {
  await browser.close()
  await server.close()
}
