import { createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EnvelopeError } from '../lib/errors.js'
import { HashParamsSchema, StoreReadResponseSchema, StoreWriteResponseSchema } from '../schemas/store.js'

const SHA1_HEX = /^[a-f0-9]{40}$/

/**
 * The content-addressed store (spec §6.12): `POST|PUT {P}/store` writes the body to
 * `<data-path>/<sha1>`, `GET {P}/store/{hash}` reads it back with podinfo's raw headers.
 *
 * A write either fully lands or not at all: the bytes go to a temporary file in the same
 * directory, are flushed to disk, and only then renamed onto the hash (atomic on POSIX), so a
 * crash or a full disk never leaves a partial `<sha1>` file. The hash is checked against
 * `^[a-f0-9]{40}$` before any path is built, so nothing outside the data path is reachable.
 */
const store: FastifyPluginAsyncTypebox = async (app) => {
  const dataPath = app.config.dataPath
  await checkDataPath(dataPath).catch((err: NodeJS.ErrnoException) => {
    app.log.warn({ dataPath, code: err.code }, `data path ${dataPath} is ${err.code === 'ENOENT' ? 'missing' : 'not writable'}: /store writes will fail until it is`)
  })
  await removeLeftovers(dataPath).catch(() => {})

  app.route({
    method: ['POST', 'PUT'],
    url: '/store',
    config: { rawBody: true },
    schema: {
      tags: ['HTTP API'],
      summary: 'Upload file',
      description: 'writes the posted content to disk at /data/hash and returns the SHA1 hash of the content',
      response: StoreWriteResponseSchema
    },
    handler: async (request, reply) => {
      const body = request.body as Buffer
      const hash = createHash('sha1').update(body).digest('hex')
      try {
        await writeAtomically(dataPath, hash, body)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        request.log.error({ dataPath, code }, `writing ${join(dataPath, hash)} failed: ${reasonFor(code)}`)
        throw new EnvelopeError(500, 'writing file failed')
      }
      return reply.code(202).send({ hash })
    }
  })

  app.get('/store/:hash(^.+$)', {
    config: { metricsName: 'store' },
    schema: {
      tags: ['HTTP API'],
      summary: 'Download file',
      description: 'returns the content of the file /data/hash if exists',
      params: HashParamsSchema,
      response: StoreReadResponseSchema
    }
  }, async (request, reply) => {
    const { hash } = request.params
    if (!SHA1_HEX.test(hash)) throw new EnvelopeError(400, 'invalid hash')
    let content: Buffer
    try {
      content = await readFile(join(dataPath, hash))
    } catch (err) {
      request.log.debug({ code: (err as NodeJS.ErrnoException).code }, `reading ${join(dataPath, hash)} failed`)
      throw new EnvelopeError(500, 'reading file failed')
    }
    return reply.code(202)
      .header('content-type', 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(content)
  })
}

/** temp file + fsync + rename: readers see the whole old file or the whole new one. */
async function writeAtomically (dir: string, name: string, data: Buffer): Promise<void> {
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
  const file = await open(temp, 'wx', 0o644)
  try {
    try {
      await file.writeFile(data)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temp, join(dir, name))
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

/** Our own temporary files: `.<sha1>.<12 hex>.tmp` (see writeAtomically). */
const TEMP_FILE = /^\.[a-f0-9]{40}\.[a-f0-9]{12}\.tmp$/

/**
 * A process killed during a write (kill -9, OOM, power loss) leaves its temporary file
 * behind; the next start removes them, so the data path only ever holds whole files.
 */
async function removeLeftovers (dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (TEMP_FILE.test(name)) await rm(join(dir, name), { force: true })
  }
}

async function checkDataPath (dir: string): Promise<void> {
  await access(dir, constants.W_OK | constants.X_OK)
}

function reasonFor (code: string | undefined): string {
  switch (code) {
    case 'ENOENT': return 'the data path does not exist (--data-path)'
    case 'EACCES': case 'EPERM': case 'EROFS': return 'the data path is not writable (--data-path)'
    case 'ENOSPC': return 'no space left on the device'
    case 'ENOTDIR': return 'the data path is not a directory (--data-path)'
    default: return code ?? 'unknown error'
  }
}

export default store
