/**
 * The browser UI template (spec §17): podinfo renders `<ui-path>/vue.html` with Go's
 * `html/template`, which escapes every value for the place it lands in. This is the subset a
 * UI template needs: the actions `{{.Title}}`, `{{.Logo}}` and `{{.Prefix}}` (spaces and Go's
 * `{{-`/`-}}` trim markers allowed, `{{/* comments *\/}}` dropped), escaped by context:
 *
 * - HTML text, `<title>`, `<textarea>`: HTML-escaped;
 * - `<script>` and `on*` attributes: a quoted JS string literal (`"/foo"`), or the escaped
 *   string content when the action already sits inside a JS string; nothing inside a JS comment;
 * - URL attributes (`href`, `src`, …): unsafe schemes become `#ZgotmplZ`, then URL-normalised;
 * - other attribute values: HTML-escaped (quoted) or entity-encoded (unquoted);
 * - CSS (`<style>`, `style=`): the value if it is plainly safe, else `ZgotmplZ`.
 *
 * Anything else (another action, an action in a tag name) is a template error, reported the
 * way Go reports it (`template: vue.html:3: …`).
 */

export interface UiTemplateData {
  /** the hostname */
  Title: string
  /** `--ui-logo` */
  Logo: string
  /** the URL prefix, without a trailing slash (empty for none) */
  Prefix: string
}

export class TemplateError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

const FIELDS = ['Title', 'Logo', 'Prefix'] as const

type Js = 'code' | 'sq' | 'dq' | 'bt' | 'line' | 'block'

type State =
  | { kind: 'text' }
  | { kind: 'comment' }
  | { kind: 'tagName', name: string, end: boolean }
  | { kind: 'tag', name: string, end: boolean }
  | { kind: 'attrName', name: string, end: boolean, attr: string }
  | { kind: 'afterAttr', name: string, end: boolean, attr: string }
  | { kind: 'beforeValue', name: string, end: boolean, attr: string }
  | { kind: 'value', name: string, end: boolean, attr: string, quote: string, value: string, js: Js }
  | { kind: 'raw', name: string, js: Js }

const RAW_ELEMENTS = new Set(['script', 'style', 'title', 'textarea'])
const URL_ATTRS = new Set(['action', 'archive', 'background', 'cite', 'classid', 'codebase', 'data',
  'formaction', 'href', 'icon', 'longdesc', 'manifest', 'poster', 'profile', 'src', 'usemap', 'xmlns'])

/** Renders a UI template. Throws `TemplateError` for what Go would refuse. */
export function renderUiTemplate (source: string, data: UiTemplateData, name = 'vue.html'): string {
  const out: string[] = []
  const lexer = new HtmlContext()
  let pos = 0
  let trimNext = false
  while (pos < source.length) {
    const open = source.indexOf('{{', pos)
    let text = source.slice(pos, open === -1 ? source.length : open)
    if (trimNext) text = text.trimStart()
    trimNext = false
    if (open === -1) {
      lexer.feed(text)
      out.push(text)
      break
    }
    const line = lineOf(source, open)
    const close = source.indexOf('}}', open + 2)
    if (close === -1) throw new TemplateError(`template: ${name}:${line}: unclosed action`)
    let inner = source.slice(open + 2, close)
    if (/^-\s/.test(inner)) { text = text.trimEnd(); inner = inner.slice(1) }
    if (/\s-$/.test(inner)) { trimNext = true; inner = inner.slice(0, -1) }
    lexer.feed(text)
    out.push(text)
    pos = close + 2
    const action = inner.trim()
    if (/^\/\*[\s\S]*\*\/$/.test(action)) continue
    const field = /^\.([A-Za-z_]\w*)$/.exec(action)?.[1]
    if (field === undefined) {
      const fn = /^([A-Za-z_]\w*)/.exec(action)?.[1]
      throw new TemplateError(fn !== undefined
        ? `template: ${name}:${line}: function "${fn}" not defined`
        : `template: ${name}:${line}: unsupported action {{${inner}}}`)
    }
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new TemplateError(`template: ${name}:${line}: executing "${name}" at <.${field}>: ` +
        `can't evaluate field ${field} in type struct { Title string; Logo string; Prefix string }`)
    }
    const escaped = lexer.escape(data[field as keyof UiTemplateData])
    if (escaped === undefined) {
      throw new TemplateError(`html/template:${name}:${line}: {{${inner}}} appears inside an HTML tag, ` +
        'where only attribute values may hold actions')
    }
    out.push(escaped)
  }
  return out.join('')
}

function lineOf (source: string, index: number): number {
  let line = 1
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++
  return line
}

/** Tracks where in an HTML document the text so far ends, as Go's escaper does. */
class HtmlContext {
  private state: State = { kind: 'text' }

  feed (text: string): void {
    let i = 0
    while (i < text.length) i = this.step(text, i)
  }

  /** The value escaped for the current context, or undefined where no value may go. */
  escape (value: string): string | undefined {
    const s = this.state
    switch (s.kind) {
      case 'text':
        return htmlEscape(value)
      case 'comment':
        return ''
      case 'raw':
        if (s.name === 'script') return jsEscape(value, s.js)
        if (s.name === 'style') return cssFilter(value)
        return htmlEscape(value)
      case 'beforeValue': {
        const v: State = { kind: 'value', name: s.name, end: s.end, attr: s.attr, quote: '', value: '', js: 'code' }
        this.state = v
        return this.escape(value)
      }
      case 'value': {
        let raw: string
        if (s.attr.startsWith('on')) raw = jsEscape(value, s.js)
        else if (s.attr === 'style') raw = cssFilter(value)
        else if (URL_ATTRS.has(s.attr) || /src|uri|url/.test(s.attr)) raw = urlEscape(value, s.value)
        else raw = value
        s.value += raw
        return s.quote === '' ? htmlNospaceEscape(raw) : htmlEscape(raw)
      }
      default:
        return undefined
    }
  }

  private step (text: string, i: number): number {
    const s = this.state
    const c = text[i] as string
    switch (s.kind) {
      case 'text':
        if (c === '<') {
          if (text.startsWith('<!--', i)) { this.state = { kind: 'comment' }; return i + 4 }
          const next = text[i + 1] ?? ''
          if (next === '/' && /[A-Za-z]/.test(text[i + 2] ?? '')) {
            this.state = { kind: 'tagName', name: '', end: true }
            return i + 2
          }
          if (/[A-Za-z]/.test(next)) { this.state = { kind: 'tagName', name: '', end: false }; return i + 1 }
        }
        return i + 1
      case 'comment': {
        const end = text.indexOf('-->', i)
        if (end === -1) return text.length
        this.state = { kind: 'text' }
        return end + 3
      }
      case 'tagName':
        if (/[\s/]/.test(c)) { this.state = { kind: 'tag', name: s.name, end: s.end }; return i + 1 }
        if (c === '>') { this.endTag(s.name, s.end); return i + 1 }
        s.name += c.toLowerCase()
        return i + 1
      case 'tag':
        if (c === '>') { this.endTag(s.name, s.end); return i + 1 }
        if (/[\s/]/.test(c)) return i + 1
        this.state = { kind: 'attrName', name: s.name, end: s.end, attr: c.toLowerCase() }
        return i + 1
      case 'attrName':
      case 'afterAttr':
        if (c === '>') { this.endTag(s.name, s.end); return i + 1 }
        if (c === '=') { this.state = { kind: 'beforeValue', name: s.name, end: s.end, attr: s.attr }; return i + 1 }
        if (/[\s/]/.test(c)) { this.state = { kind: 'afterAttr', name: s.name, end: s.end, attr: s.attr }; return i + 1 }
        if (s.kind === 'afterAttr') this.state = { kind: 'attrName', name: s.name, end: s.end, attr: c.toLowerCase() }
        else s.attr += c.toLowerCase()
        return i + 1
      case 'beforeValue':
        if (/\s/.test(c)) return i + 1
        if (c === '>') { this.endTag(s.name, s.end); return i + 1 }
        this.state = { kind: 'value', name: s.name, end: s.end, attr: s.attr, quote: c === '"' || c === "'" ? c : '', value: '', js: 'code' }
        return c === '"' || c === "'" ? i + 1 : i
      case 'value':
        if (s.quote !== '' ? c === s.quote : /\s/.test(c)) {
          this.state = { kind: 'tag', name: s.name, end: s.end }
          return i + 1
        }
        if (s.quote === '' && c === '>') { this.endTag(s.name, s.end); return i + 1 }
        s.value += c
        if (s.attr.startsWith('on')) s.js = jsStep(s.js, c, s.value[s.value.length - 2] ?? '', text[i + 1] ?? '')
        return i + 1
      case 'raw': {
        if (c === '<' && text.slice(i + 2, i + 2 + s.name.length).toLowerCase() === s.name && text[i + 1] === '/' &&
          /^[\s/>]?$/.test(text[i + 2 + s.name.length] ?? '')) {
          this.state = { kind: 'tagName', name: '', end: true }
          return i + 2
        }
        if (s.name === 'script') s.js = jsStep(s.js, c, text[i - 1] ?? '', text[i + 1] ?? '')
        return i + 1
      }
    }
  }

  private endTag (name: string, end: boolean): void {
    this.state = !end && RAW_ELEMENTS.has(name) ? { kind: 'raw', name, js: 'code' } : { kind: 'text' }
  }
}

/** One character of JS: enough to know whether we are in code, a string or a comment. */
function jsStep (js: Js, c: string, prev: string, next: string): Js {
  switch (js) {
    case 'code':
      if (c === "'") return 'sq'
      if (c === '"') return 'dq'
      if (c === '`') return 'bt'
      if (c === '/' && next === '/') return 'line'
      if (c === '/' && next === '*') return 'block'
      return 'code'
    case 'sq': case 'dq': case 'bt': {
      const quote = js === 'sq' ? "'" : js === 'dq' ? '"' : '`'
      return c === quote && prev !== '\\' ? 'code' : js
    }
    case 'line':
      return c === '\n' ? 'code' : 'line'
    case 'block':
      return c === '/' && prev === '*' ? 'code' : 'block'
  }
}

const HTML: Record<string, string> = { '"': '&#34;', '&': '&amp;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' }

/** Go's `html/template` HTML escaper. */
export function htmlEscape (s: string): string {
  return s.replace(/["&'+<>\0]/g, (c) => HTML[c] as string)
}

function htmlNospaceEscape (s: string): string {
  return s.replace(/["&'+<>\0\s=`]/g, (c) => HTML[c] ?? `&#${c.charCodeAt(0)};`)
}

const JS_STR: Record<string, string> = Object.fromEntries([
  ['\\', '\\\\'], ['\n', '\\n'], ['\r', '\\r'], ['\t', '\\t'], ['\f', '\\f'], ['/', '\\/'],
  ['"', '\\u0022'], ["'", '\\u0027'], ['`', '\\u0060'], ['&', '\\u0026'], ['+', '\\u002b'], ['<', '\\u003c'],
  ['>', '\\u003e'], ['\u2028', '\\u2028'], ['\u2029', '\\u2029']
])

/** A value in JS: a quoted string literal in code, the escaped content inside a string, nothing in a comment. */
function jsEscape (value: string, js: Js): string {
  if (js === 'line' || js === 'block') return ''
  if (js === 'code') {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
  }
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\\n\r\t\f/"'`&+<>\u2028\u2029]|[\u0000-\u001f]/g,
    (c) => JS_STR[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** A URL attribute value: scheme filter at the start, normalised in the path, escaped after `?`/`#`. */
function urlEscape (value: string, before: string): string {
  if (before === '') {
    const scheme = /^([^/?#]*?):/.exec(value)?.[1]
    if (scheme !== undefined && !/^(https?|mailto)$/i.test(scheme)) return '#ZgotmplZ'
  }
  return percentEncode(value, !/[?#]/.test(before))
}

const URL_RESERVED = '!#$&*+,/:;=?@[]'

/**
 * Go's `processURLOnto`: unreserved characters stay, everything else becomes `%xx` (lower-case
 * hex, byte by byte). Normalising (before the query) also keeps reserved characters and valid
 * escapes.
 */
function percentEncode (value: string, normalize: boolean): string {
  const bytes = Buffer.from(value, 'utf8')
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number
    const ch = String.fromCharCode(c)
    if (/[A-Za-z0-9\-._~]/.test(ch) ||
      (normalize && URL_RESERVED.includes(ch)) ||
      (normalize && ch === '%' && /^[0-9A-Fa-f]{2}$/.test(bytes.subarray(i + 1, i + 3).toString('latin1')))) {
      out += ch
    } else {
      out += '%' + c.toString(16).padStart(2, '0')
    }
  }
  return out
}

/** CSS: only plainly safe values (colours, lengths, names) pass. */
function cssFilter (value: string): string {
  return /^[\w\s#.,%()+-]*$/.test(value) && !/expression|url/i.test(value) ? value : 'ZgotmplZ'
}
