import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TestContext } from 'node:test'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'

const UI = join(import.meta.dirname, '..', '..', 'ui')
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' }

/** Like `build`, with a chosen hostname (podinfo has no flag for it: it is the pod name). */
async function buildWithHost (t: TestContext, hostname: string, argv: string[]): Promise<FastifyInstance> {
  const config = loadConfig({}, argv, { hostname, revision: 'abc123' })
  const mux = new MuxRules()
  const server = Fastify({ ...fastifyOptions(config, mux), logger: false })
  await server.register(fp(app), { config, mux, exit: () => { throw new Error('exit called') } })
  await server.ready()
  t.after(() => server.close())
  return server
}

async function tempDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'podinfo-ui-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('GET / with a User-Agent starting with Mozilla serves the UI page', async (t) => {
  const server = await buildWithHost(t, 'podinfo-7f9c6d8b4-x2kqz', ['--ui-path', UI])
  const res = await server.inject({ url: '/', headers: BROWSER })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  assert.equal(res.headers['x-content-type-options'], undefined)
  assert.ok(res.body.startsWith('<!DOCTYPE html>\n'))
  assert.ok(res.body.includes('<title>podinfo-7f9c6d8b4-x2kqz</title>'))
  assert.ok(res.body.includes('Served by <b id="hostname">podinfo-7f9c6d8b4-x2kqz</b>'))
  assert.ok(res.body.includes('window.podinfoPrefix = "";'))
  assert.ok(res.body.includes('<a id="swagger" href="/swagger/">docs</a>'))
  assert.doesNotMatch(res.body, /\{\{/, 'no placeholder is left')
  // Self-contained: nothing is loaded from another origin (the project link is a plain anchor).
  assert.doesNotMatch(res.body, /<(script|link|img)[^>]+(src|href)="https?:/)
  assert.doesNotMatch(res.body, /cdn\.jsdelivr|googleapis/)
})

test('only a case-sensitive Mozilla prefix gets HTML; others get the runtime JSON', async (t) => {
  const server = await build(t, {}, { argv: ['--ui-path', UI] })
  for (const agent of ['Mozilla', 'Mozilla/4.0 (compatible; MSIE 6.0)']) {
    const res = await server.inject({ url: '/', headers: { 'user-agent': agent } })
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', agent)
  }
  for (const headers of [{ 'user-agent': 'mozilla/5.0' }, { 'user-agent': 'curl/8.5.0' }, { 'user-agent': ' Mozilla/5.0' }, {}]) {
    const res = await server.inject({ url: '/', headers })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', JSON.stringify(headers))
    const info = JSON.parse(res.body) as Record<string, string>
    assert.deepEqual(Object.keys(info), ['hostname', 'version', 'revision', 'color', 'logo', 'message',
      'goos', 'goarch', 'runtime', 'num_goroutine', 'num_cpu'])
  }
  // /api/info never serves the page.
  const api = await server.inject({ url: '/api/info', headers: BROWSER })
  assert.equal(api.headers['content-type'], 'application/json; charset=utf-8')
})

test('with --prefix, {P} and {P}/ serve the page with the prefix as a JS string and in the swagger link', async (t) => {
  const server = await build(t, {}, { argv: ['--ui-path', UI, '--prefix', '/foo/'] })
  for (const url of ['/foo', '/foo/']) {
    const res = await server.inject({ url, headers: BROWSER })
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    assert.ok(res.body.includes('window.podinfoPrefix = "/foo";'), url)
    assert.ok(res.body.includes('<a id="swagger" href="/foo/swagger/">docs</a>'), url)
  }
  assert.equal((await server.inject({ url: '/', headers: BROWSER })).statusCode, 404)
})

test('the template is read on every request and a user template gets the three placeholders', async (t) => {
  const dir = await tempDir(t)
  const server = await buildWithHost(t, 'web-0', ['--ui-path', dir, '--prefix', '/p', '--ui-logo', 'https://example.com/logo.png'])
  await writeFile(join(dir, 'vue.html'), '<title>{{.Title}}</title><img src="{{.Logo}}"><script>var p = {{ .Prefix }}; var q = "{{.Prefix}}"</script>\n')
  let res = await server.inject({ url: '/p', headers: BROWSER })
  assert.equal(res.statusCode, 200)
  assert.equal(res.body, '<title>web-0</title><img src="https://example.com/logo.png"><script>var p = "/p"; var q = "\\/p"</script>\n')
  await writeFile(join(dir, 'vue.html'), 'v2 {{- .Title -}} !')
  res = await server.inject({ url: '/p', headers: BROWSER })
  assert.equal(res.body, 'v2web-0!')
})

test('hostile hostname, prefix and logo are escaped for where they land', async (t) => {
  const dir = await tempDir(t)
  const host = '<script>alert("x")</script>&\''
  const server = await buildWithHost(t, host, ['--ui-path', dir, '--ui-logo', 'javascript:alert(1)',
    '--ui-message', '<img src=x onerror=alert(1)>', '--prefix', '/a"</script>'])
  await writeFile(join(dir, 'vue.html'), await readFile(join(UI, 'vue.html'), 'utf8') +
    '<img src="{{.Logo}}"><a href="{{.Prefix}}/x?q={{.Title}}">q</a><div title={{.Title}}></div>')
  const res = await server.inject({ url: '/a%22%3C/script%3E/', headers: BROWSER })
  assert.equal(res.statusCode, 200)
  assert.ok(res.body.includes('<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;</title>'))
  assert.ok(res.body.includes('window.podinfoPrefix = "/a\\"\\u003c/script\\u003e";'))
  assert.ok(res.body.includes('<img src="#ZgotmplZ">'))
  assert.ok(res.body.includes('<a href="/a%22%3c/script%3e/x?q=%3cscript%3ealert%28%22x%22%29%3c%2fscript%3e%26%27">q</a>'))
  assert.ok(res.body.includes('<div title=&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;></div>'))
  assert.equal(res.body.split('</script>').length - 1, 2, 'only the page\'s own two scripts close')
  // The message is not in the page at all: the browser fetches it and sets it as text.
  assert.ok(!res.body.includes('onerror=alert'))
})

test('a missing template answers 500 with the path and the error text, as podinfo does', async (t) => {
  const dir = await tempDir(t)
  const server = await build(t, {}, { argv: ['--ui-path', join(dir, 'nope')] })
  const res = await server.inject({ url: '/', headers: BROWSER })
  assert.equal(res.statusCode, 500)
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
  const file = join(dir, 'nope', 'vue.html')
  assert.equal(res.body, `${file}open ${file}: no such file or directory`)

  await mkdir(join(dir, 'nope', 'vue.html'), { recursive: true })
  const dirRes = await server.inject({ url: '/', headers: BROWSER })
  assert.equal(dirRes.statusCode, 500)
  assert.equal(dirRes.body, `${file}read ${file}: is a directory`)
})

test('the default ./ui path is cleaned as Go does and resolved against the working directory', async (t) => {
  const dir = await tempDir(t)
  const server = await build(t, {}, { argv: ['--ui-path', 'no/such/./dir/'] })
  const res = await server.inject({ url: '/', headers: BROWSER })
  assert.equal(res.statusCode, 500)
  assert.equal(res.body, 'no/such/dir/vue.htmlopen no/such/dir/vue.html: no such file or directory')

  // The real process, started from the package root with the default --ui-path, serves ui/vue.html.
  const podinfo = await startPodinfo(t, { env: { PODINFO_DATA_PATH: dir } })
  const page = await fetch(podinfo.url + '/', { headers: BROWSER })
  assert.equal(page.status, 200)
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.equal(await page.text(), (await readFile(join(UI, 'vue.html'), 'utf8'))
    .replaceAll('{{.Title}}', (await (await fetch(podinfo.url + '/api/info')).json() as { hostname: string }).hostname)
    .replace('{{.Prefix}}', '').replace('{{ .Prefix }}', '""'))
  await podinfo.stop()
})

test('a template error answers 500 with the path and Go-style error text', async (t) => {
  const dir = await tempDir(t)
  const server = await build(t, {}, { argv: ['--ui-path', dir] })
  const file = join(dir, 'vue.html')
  const cases: Array<[string, string]> = [
    ['<p>\n{{ info.message }}</p>', 'template: vue.html:2: function "info" not defined'],
    ['<p>{{.Hostname}}</p>', 'template: vue.html:1: executing "vue.html" at <.Hostname>: can\'t evaluate field Hostname in type struct { Title string; Logo string; Prefix string }'],
    ['<p>{{.Title</p>', 'template: vue.html:1: unclosed action'],
    ['<p {{.Title}}>', 'html/template:vue.html:1: {{.Title}} appears inside an HTML tag, where only attribute values may hold actions']
  ]
  for (const [source, error] of cases) {
    await writeFile(file, source)
    const res = await server.inject({ url: '/', headers: BROWSER })
    assert.equal(res.statusCode, 500, source)
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.body, file + error)
  }
})
