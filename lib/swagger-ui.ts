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

/** Reads an asset on its first call and returns the same one after that. */
export type AssetLoader = () => Promise<Asset>

/** Files of the Swagger UI distribution that are not served as assets. */
const NOT_ASSETS = new Set(['index.html', 'csp.json'])

/** The `static/` folder of @fastify/swagger-ui: the Swagger UI distribution it ships. */
function swaggerUiDir (): string {
  return join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static')
}

/**
 * The Swagger UI files in `dir`, by name. The names are listed here, at startup; each file is
 * read when it is first asked for and then kept. Together they are 2.6 MB (swagger-ui-bundle.js
 * alone 1.6 MB), which a server whose UI nobody opens should neither read at startup nor hold.
 * A read that fails is not kept: the next request tries again.
 */
export async function swaggerUiAssets (dir = swaggerUiDir()): Promise<Map<string, AssetLoader>> {
  const assets = new Map<string, AssetLoader>()
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || NOT_ASSETS.has(entry.name)) continue
    const path = join(dir, entry.name)
    const type = contentType(entry.name) ?? 'application/octet-stream'
    let asset: Promise<Asset> | undefined
    assets.set(entry.name, () => {
      asset ??= readFile(path).then((body) => ({ type, body }), (err: unknown) => {
        asset = undefined
        throw err
      })
      return asset
    })
  }
  return assets
}
