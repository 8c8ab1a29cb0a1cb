import { test } from 'node:test'
import assert from 'node:assert/strict'
import { htmlEscape, renderUiTemplate, TemplateError } from '../../lib/ui-template.js'

const DATA = { Title: 'pod-1', Logo: 'https://example.com/a b.png', Prefix: '/api/v1' }
const EVIL = '</script><b x="1">&\'+`\u2028'

function render (source: string, value = EVIL): string {
  return renderUiTemplate(source, { Title: value, Logo: value, Prefix: value })
}

test('HTML text and RCDATA use Go\'s HTML escaper', () => {
  assert.equal(htmlEscape('<a href="x">&\'+\0'), '&lt;a href=&#34;x&#34;&gt;&amp;&#39;&#43;\uFFFD')
  assert.equal(render('<p>{{.Title}}</p>'), '<p>&lt;/script&gt;&lt;b x=&#34;1&#34;&gt;&amp;&#39;&#43;`\u2028</p>')
  assert.equal(render('<title>{{.Title}}</title><textarea>{{.Title}}</textarea>'),
    '<title>&lt;/script&gt;&lt;b x=&#34;1&#34;&gt;&amp;&#39;&#43;`\u2028</title>' +
    '<textarea>&lt;/script&gt;&lt;b x=&#34;1&#34;&gt;&amp;&#39;&#43;`\u2028</textarea>')
})

test('in a script a value is a JS string literal that cannot close the element', () => {
  assert.equal(render('<script>x = {{.Prefix}}</script>'),
    '<script>x = "\\u003c/script\\u003e\\u003cb x=\\"1\\"\\u003e\\u0026\'+`\\u2028"</script>')
  assert.equal(renderUiTemplate('<script>x = {{ .Prefix }};</script>', DATA), '<script>x = "/api/v1";</script>')
  assert.equal(renderUiTemplate('<script>x = {{ .Prefix }};</script>', { ...DATA, Prefix: '' }), '<script>x = "";</script>')
})

test('inside a JS string, a value is escaped string content; in a JS comment it is dropped', () => {
  const escaped = '\\/script\\u003e\\u003cb x=\\u00221\\u0022\\u003e\\u0026\\u0027\\u002b\\u0060\\u2028'
  assert.equal(render('<script>a = "{{.Title}}"; b = \'{{.Title}}\'; c = `{{.Title}}`</script>'),
    `<script>a = "\\u003c${escaped}"; b = '\\u003c${escaped}'; c = \`\\u003c${escaped}\`</script>`)
  assert.equal(render('<script>a = "it\\"s {{.Title}}"</script>').startsWith('<script>a = "it\\"s \\u003c'), true)
  assert.equal(render('<script>// {{.Title}}\nx = 1 /* {{.Title}} */</script>'), '<script>// \nx = 1 /*  */</script>')
  // After the script element ends, HTML text rules apply again.
  assert.equal(renderUiTemplate('<script>"</script><p>{{.Title}}', { ...DATA, Title: '<i>' }), '<script>"</script><p>&lt;i&gt;')
})

test('attributes: quoted, unquoted, URL, event handler and style', () => {
  assert.equal(render('<div title="{{.Title}}" data-x=\'{{.Title}}\'>'),
    '<div title="&lt;/script&gt;&lt;b x=&#34;1&#34;&gt;&amp;&#39;&#43;`\u2028" data-x=\'&lt;/script&gt;&lt;b x=&#34;1&#34;&gt;&amp;&#39;&#43;`\u2028\'>')
  assert.equal(renderUiTemplate('<div title={{.Title}}>', { ...DATA, Title: 'a b=c' }), '<div title=a&#32;b&#61;c>')
  assert.equal(renderUiTemplate('<img src="{{.Logo}}">', DATA), '<img src="https://example.com/a%20b.png">')
  // Go's normaliser: reserved characters and valid escapes stay, the rest is %xx in lower case.
  assert.equal(renderUiTemplate('<a href="{{.Logo}}">', { ...DATA, Logo: "/a b/%2F/%zz/'()/é?x=1&y=[2]#f" }),
    '<a href="/a%20b/%2F/%25zz/%27%28%29/%c3%a9?x=1&amp;y=[2]#f">')
  for (const logo of ['javascript:alert(1)', 'JavaScript:x', 'data:text/html,x', ' vbscript:x']) {
    assert.equal(renderUiTemplate('<img src="{{.Logo}}"><a href={{.Logo}}>', { ...DATA, Logo: logo }),
      '<img src="#ZgotmplZ"><a href=#ZgotmplZ>', logo)
  }
  assert.equal(renderUiTemplate('<a href="{{.Prefix}}/swagger/?from={{.Title}}">', { ...DATA, Title: 'a&b=c d' }),
    '<a href="/api/v1/swagger/?from=a%26b%3dc%20d">')
  assert.equal(renderUiTemplate('<button onclick="go({{.Prefix}})">', DATA), '<button onclick="go(&#34;/api/v1&#34;)">')
  assert.equal(renderUiTemplate('<div style="color: {{.Title}}">', { ...DATA, Title: '#34577c' }), '<div style="color: #34577c">')
  assert.equal(renderUiTemplate('<style>p { color: {{.Title}} }</style>', { ...DATA, Title: 'red; background: url(x)' }),
    '<style>p { color: ZgotmplZ }</style>')
})

test('HTML comments drop values; Go template comments and trim markers work', () => {
  assert.equal(renderUiTemplate('<!-- {{.Title}} --><p>{{/* note */}}x</p>', DATA), '<!--  --><p>x</p>')
  assert.equal(renderUiTemplate('<p>\n  {{- .Title -}}\n</p>', DATA), '<p>pod-1</p>')
  assert.equal(renderUiTemplate('{{.Title}}{{.Logo}}{{.Prefix}}', DATA), 'pod-1https://example.com/a b.png/api/v1')
})

test('unsupported actions are template errors with the line number', () => {
  assert.throws(() => renderUiTemplate('a\nb\n{{ range .Items }}', DATA),
    new TemplateError('template: vue.html:3: function "range" not defined'))
  assert.throws(() => renderUiTemplate('{{ "x" }}', DATA, 'page.html'),
    new TemplateError('template: page.html:1: unsupported action {{ "x" }}'))
  assert.throws(() => renderUiTemplate('<div class="a" {{.Title}}>', DATA), /appears inside an HTML tag/)
})
