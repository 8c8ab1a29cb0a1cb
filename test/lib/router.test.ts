import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { MuxRules } from '../../lib/router.js'

const req = (url: string): IncomingMessage => ({ url }) as IncomingMessage

function rules (): MuxRules {
  const mux = new MuxRules()
  mux.addRoute('GET', '/version')
  mux.addRoute('GET', '/delay/:seconds(^\\d+$)')
  mux.addRoute('POST', '/readyz/enable')
  mux.addRoute('GET', '/cache/:key')
  mux.addRoute('POST', '/cache/:key')
  mux.addRoute('GET', '/echo/*')
  mux.addRoute('GET', '/echo/*') // registering twice is harmless
  return mux
}

test('clean paths pass through untouched, query included', () => {
  const mux = rules()
  for (const url of ['/version', '/version?x=1', '/delay/1', '/a/b/c/', '/']) {
    const r = req(url)
    assert.equal(mux.rewrite(r), url)
    assert.equal(mux.redirectFor(r), undefined)
  }
})

test('unclean paths are sent to a redirect with the cleaned, escaped Location and the raw query', () => {
  const mux = rules()
  const cases: Array<[string, string]> = [
    ['//version', '/version'],
    ['/echo/../version?x=1', '/version?x=1'],
    ['/store/..%2f..%2fetc', '/etc'],
    ['/a/./b?q=%2F', '/a/b?q=%2F'],
    ['/x%20y//z', '/x%20y/z'],
    ['/%2e%2e/version', '/version']
  ]
  for (const [url, location] of cases) {
    const r = req(url)
    const routed = mux.rewrite(r)
    assert.notEqual(routed, url, url)
    assert.equal(mux.redirectFor(r), location, url)
  }
})

test('escaped paths route on the decoded path: %2F becomes a separator, %41 a letter', () => {
  const mux = rules()
  assert.equal(mux.rewrite(req('/cache/a%2Fb')), '/cache/a/b')
  assert.equal(mux.rewrite(req('/%76ersion?x=%41')), '/version?x=%41')
  assert.equal(mux.rewrite(req('/cache/100%25')), '/cache/100%25') // a literal % stays escaped for the router
  assert.equal(mux.rewrite(req('/cache/a%3Fb')), '/cache/a%3Fb')
  // malformed escapes route the raw path, which matches nothing
  assert.equal(mux.rewrite(req('/cache/%zz')), '/cache/%zz')
})

test('otherMethodMatches tells 405 from 404', () => {
  const mux = rules()
  assert.equal(mux.otherMethodMatches('POST', '/version'), true)
  assert.equal(mux.otherMethodMatches('HEAD', '/version'), true)
  assert.equal(mux.otherMethodMatches('GET', '/version'), false)
  assert.equal(mux.otherMethodMatches('GET', '/version/'), false)
  assert.equal(mux.otherMethodMatches('GET', '/readyz/enable'), true)
  assert.equal(mux.otherMethodMatches('DELETE', '/cache/k'), true)
  assert.equal(mux.otherMethodMatches('POST', '/delay/1'), true)
  assert.equal(mux.otherMethodMatches('POST', '/delay/x'), false)
  assert.equal(mux.otherMethodMatches('PUT', '/echo/anything/below'), true)
  assert.equal(mux.otherMethodMatches('PUT', '/nothing'), false)
})

test('otherMethodMatches: overlapping patterns with different methods', () => {
  const mux = new MuxRules()
  mux.addRoute('GET', '/store/:hash')
  mux.addRoute('POST', '/store/new')
  mux.addRoute('PUT', '/store/new')
  assert.equal(mux.otherMethodMatches('DELETE', '/store/new'), true)
  assert.equal(mux.otherMethodMatches('DELETE', '/store/abc'), true)
  assert.equal(mux.otherMethodMatches('GET', '/store/abc/more'), false)
})
