import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'

/**
 * The Swagger UI that podinfo serves under `{P}/swagger/` (spec §6.19): podinfo's page,
 * with the Swagger UI files shipped by @fastify/swagger-ui.
 */

/** Go html/template's escaping of a value inside a JavaScript string literal. */
export function jsString (text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f"`&'+/<>\\\u2028\u2029]/g, (c) => JS_ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

const JS_ESCAPES: Record<string, string> = {
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
  '/': '\\/',
  '\\': '\\\\'
}

/** Go's `htmlEscape` in `http.Redirect`. */
export function htmlEscape (text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\'': '&#39;' }

/** podinfo's Swagger UI page; `docUrl` is the document's absolute path (`{P}/swagger/doc.json`). */
export function indexPage (docUrl: string): string {
  return `<!-- HTML for static distribution bundle build -->
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Swagger UI</title>
  <link rel="stylesheet" type="text/css" href="./swagger-ui.css" >
  <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32" />
  <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16" />
  <style>
    html
    {
        box-sizing: border-box;
        overflow: -moz-scrollbars-vertical;
        overflow-y: scroll;
    }
    *,
    *:before,
    *:after
    {
        box-sizing: inherit;
    }

    body {
      margin:0;
      background: #fafafa;
    }
  </style>
</head>

<body>

<div id="swagger-ui"></div>

<script src="./swagger-ui-bundle.js"> </script>
<script src="./swagger-ui-standalone-preset.js"> </script>
<script>
window.onload = function() {
  // Build a system
  const ui = SwaggerUIBundle({
    url: "${jsString(docUrl)}",
    deepLinking: true,
    docExpansion: "list",
    dom_id: "#swagger-ui",
    persistAuthorization: false,
    validatorUrl: null,
    presets: [
      SwaggerUIBundle.presets.apis,
      SwaggerUIStandalonePreset
    ],
    plugins: [
      SwaggerUIBundle.plugins.DownloadUrl
    ],
    layout: "StandaloneLayout"
  })

  window.ui = ui
}
</script>
</body>

</html>
`
}

/** The content types podinfo's handler sets by extension; other files get the usual type. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml'
}

export function contentType (name: string): string | undefined {
  return CONTENT_TYPES[extname(name)]
}

export interface Asset {
  type: string
  body: Buffer
}

/** Files of the Swagger UI distribution that are not served as assets. */
const NOT_ASSETS = new Set(['index.html', 'csp.json'])

/** The Swagger UI files shipped by @fastify/swagger-ui (its `static/` folder), read once. */
export async function swaggerUiAssets (): Promise<Map<string, Asset>> {
  const require = createRequire(import.meta.url)
  const dir = join(dirname(require.resolve('@fastify/swagger-ui')), 'static')
  const assets = new Map<string, Asset>()
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || NOT_ASSETS.has(entry.name)) continue
    assets.set(entry.name, {
      type: contentType(entry.name) ?? 'application/octet-stream',
      body: await readFile(join(dir, entry.name))
    })
  }
  return assets
}
