import { readFile } from 'node:fs/promises'
import { posix } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { renderUiTemplate, TemplateError } from '../lib/ui-template.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Renders the browser page (spec §17); `routes/root.ts` calls it for browsers. */
    renderUi: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** Go's wording for the file errors a template read can hit. */
const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links'
}

/**
 * The browser UI (spec §17): `<ui-path>/vue.html`, read and rendered on every request, so a
 * mounted template can change under a running pod. `routes/root.ts` calls `app.renderUi` for
 * `GET {P}/` when the User-Agent starts with `Mozilla`. A relative `--ui-path` is resolved
 * against the working directory, as podinfo does.
 */
export default fp(async function ui (app) {
  const { config } = app
  const file = posix.join(config.uiPath, 'vue.html') // Go's path.Join: `./ui` gives `ui/vue.html`
  const prefix = config.prefix.endsWith('/') ? config.prefix.slice(0, -1) : config.prefix

  /** Resolves when the page (or the error) has been sent. */
  async function renderUi (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    let source: string
    try {
      source = await readFile(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? ''
      const op = code === 'EISDIR' ? 'read' : 'open'
      const text = ERRNO[code] ?? (err as Error).message
      request.log.warn({ error: (err as Error).message, file }, 'UI template unavailable')
      await failed(reply, `${op} ${file}: ${text}`)
      return
    }
    let html: string
    try {
      html = renderUiTemplate(source, { Title: config.hostname, Logo: config.uiLogo, Prefix: prefix })
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err
      request.log.warn({ error: err.message, file }, 'UI template error')
      await failed(reply, err.message)
      return
    }
    await reply.code(200).type('text/html; charset=utf-8').send(html)
  }

  /** podinfo's answer: the template path immediately followed by the error text. */
  function failed (reply: FastifyReply, text: string): FastifyReply {
    return reply.code(500).type('text/plain; charset=utf-8').send(file + text)
  }

  app.decorate('renderUi', renderUi)
}, { name: 'ui' })
