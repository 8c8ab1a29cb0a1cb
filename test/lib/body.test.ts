import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import { BODY_LIMIT, readBody } from '../../lib/body.js'
import { EnvelopeError } from '../../lib/errors.js'

interface Outcome { body?: Buffer, error?: EnvelopeError }

/** A real HTTP server whose handler runs readBody with the given limit. */
async function server (t: TestContext, limit?: number): Promise<{ port: number, outcomes: Outcome[] }> {
  const outcomes: Outcome[] = []
  const srv = createServer((req, res) => {
    readBody(req, limit).then((body) => { outcomes.push({ body }); res.end('ok') }, (error: EnvelopeError) => {
      outcomes.push({ error }); res.setHeader('connection', 'close'); res.end('err')
    })
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  t.after(() => { srv.closeAllConnections(); srv.close() })
  return { port: (srv.address() as { port: number }).port, outcomes }
}

async function send (port: number, body: Buffer | Buffer[], headers: Record<string, string> = {}): Promise<void> {
  await new Promise<void>((resolve) => {
    const r = request({ port, host: '127.0.0.1', method: 'POST', headers }, (res) => { res.resume().on('end', resolve) })
    r.on('error', () => resolve())
    for (const part of [body].flat()) r.write(part)
    r.end()
  })
}

test('readBody returns the raw bytes, chunked or with a length', async (t) => {
  const { port, outcomes } = await server(t)
  const bytes = Buffer.from([0, 1, 2, 0xff, 0x7b])
  await send(port, bytes)
  await send(port, [Buffer.from('ab'), Buffer.from('cd')]) // no length: chunked
  await send(port, Buffer.alloc(0))
  assert.deepEqual(outcomes.map((o) => o.body), [bytes, Buffer.from('abcd'), Buffer.alloc(0)])
})

test('readBody accepts exactly the limit and rejects one byte more with the 413 envelope', async (t) => {
  assert.equal(BODY_LIMIT, 10_485_760)
  const { port, outcomes } = await server(t, 16)
  await send(port, Buffer.alloc(16, 'a'))
  await send(port, Buffer.alloc(17, 'a')) // declared length over the limit
  await send(port, [Buffer.alloc(10, 'a'), Buffer.alloc(7, 'a')]) // chunked, over the limit while reading
  assert.deepEqual(outcomes[0]?.body, Buffer.alloc(16, 'a'))
  for (const outcome of outcomes.slice(1)) {
    assert.ok(outcome.error instanceof EnvelopeError)
    assert.equal(outcome.error.envelopeCode, 413)
    assert.equal(outcome.error.message, 'request body too large')
  }
  assert.equal(outcomes.length, 3)
})

test('a body cut off by the client is the 400 invalid request body envelope', async (t) => {
  const { port, outcomes } = await server(t)
  const { connect } = await import('node:net')
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a few bytes')
      setTimeout(() => { socket.destroy(); resolve() }, 100)
    })
  })
  const deadline = Date.now() + 5000
  while (outcomes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  const error = outcomes[0]?.error
  assert.ok(error instanceof EnvelopeError)
  assert.equal(error.envelopeCode, 400)
  assert.equal(error.message, 'invalid request body')
})
