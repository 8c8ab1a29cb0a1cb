import type { IncomingMessage } from 'node:http'
import { EnvelopeError } from './errors.js'

/** podinfo reads at most 10 MiB of any request body (spec §4.4); exactly 10 MiB is fine. */
export const BODY_LIMIT = 10 * 1024 * 1024

/**
 * Reads a request body as raw bytes, whatever its content type. Over the limit: the 413
 * envelope (and the connection is closed after the reply, as Go's MaxBytesReader does);
 * any other read failure: the 400 envelope.
 */
export async function readBody (raw: IncomingMessage, limit = BODY_LIMIT): Promise<Buffer> {
  const declared = Number(raw.headers['content-length'])
  if (declared > limit) throw tooLarge()
  if (raw.readableEnded) return Buffer.alloc(0)
  if (raw.destroyed) throw invalid()
  // Plain 'data' events: `for await` over the request costs an async iterator and promises per
  // request, about a tenth of the CPU time of a 1 KiB echo.
  return await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (): void => {
      raw.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose)
    }
    function onData (chunk: Buffer): void {
      size += chunk.length
      if (size > limit) {
        done() // the rest is not read; the 413 reply closes the connection
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    }
    function onEnd (): void {
      // Nothing more can arrive, so the listeners stay (they go with the request): a later
      // 'error' or 'close' cannot change a settled promise.
      resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size))
    }
    function onError (): void {
      done()
      reject(invalid())
    }
    function onClose (): void {
      if (raw.readableEnded) return
      done()
      reject(invalid()) // the client went away before the end of the body
    }
    raw.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose)
  })
}

function invalid (): EnvelopeError {
  return new EnvelopeError(400, 'invalid request body')
}

function tooLarge (): EnvelopeError {
  return new EnvelopeError(413, 'request body too large')
}
