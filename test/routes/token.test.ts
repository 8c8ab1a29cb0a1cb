import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { issueToken, parseToken, MISSING_EXP_MESSAGE } from '../../lib/jwt.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'
import { rfc3339 } from '../../lib/time.js'
import { DEFAULT_JWT_SECRET } from '../../schemas/config.js'
import { build } from '../helper.js'

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' }

const b64 = (text: string): string => Buffer.from(text).toString('base64url')
function forge (header: string, payload: string, secret = DEFAULT_JWT_SECRET, hash = 'sha256'): string {
  const input = b64(header) + '.' + b64(payload)
  return input + '.' + createHmac(hash, secret).update(input).digest('base64url')
}
const inAMinute = (): number => Math.floor(Date.now() / 1000) + 60

function envelope (code: number, message: string): string {
  return `{\n  "code": ${code},\n  "message": ${JSON.stringify(message)}\n}`
}

function assertJsonHeaders (headers: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(JSON_HEADERS)) assert.equal(headers[name], value, name)
}

test('POST /token issues podinfo\'s token for the body and its expiry', async (t) => {
  const server = await build(t)
  const before = Math.floor(Date.now() / 1000)
  const res = await server.inject({ method: 'POST', url: '/token', payload: 'test' })
  const after = Math.floor(Date.now() / 1000)
  assert.equal(res.statusCode, 200)
  assertJsonHeaders(res.headers)
  const { token, expires_at: expiresAt } = res.json() as { token: string, expires_at: string }
  const exp = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp as number
  assert.ok(exp >= before + 60 && exp <= after + 60)
  assert.equal(token, issueToken(DEFAULT_JWT_SECRET, 'test', new Date((exp - 60) * 1000)).token)
  assert.equal(res.body, `{\n  "token": "${token}",\n  "expires_at": "${rfc3339(new Date(exp * 1000))}"\n}`)
  assert.equal(expiresAt, rfc3339(new Date(exp * 1000)))
})

test('POST /token: an empty body is "anonymous"; the name is taken raw, any content type, no trimming', async (t) => {
  const server = await build(t)
  const claims = async (payload: string | Buffer, contentType?: string): Promise<unknown> => {
    const res = await server.inject({ method: 'POST', url: '/token', payload, headers: contentType === undefined ? {} : { 'content-type': contentType } })
    assert.equal(res.statusCode, 200)
    return JSON.parse(Buffer.from((res.json().token as string).split('.')[1] as string, 'base64url').toString()).name
  }
  assert.equal(await claims(''), 'anonymous')
  assert.equal(await claims('name\n'), 'name\n')
  assert.equal(await claims('{"name":"json"}', 'application/json'), '{"name":"json"}')
  assert.equal(await claims('a=b&c=d', 'application/x-www-form-urlencoded'), 'a=b&c=d')
})

test('GET /token/validate accepts a fresh token and answers its name and expiry', async (t) => {
  const server = await build(t)
  const issued = (await server.inject({ method: 'POST', url: '/token', payload: '<b>&' })).json() as { token: string, expires_at: string }
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
    const res = await server.inject({ url: '/token/validate', headers: { authorization: `${scheme} ${issued.token}` } })
    assert.equal(res.statusCode, 200)
    assertJsonHeaders(res.headers)
    assert.equal(res.body, `{\n  "token_name": "\\u003cb\\u003e\\u0026",\n  "expires_at": "${issued.expires_at}"\n}`)
  }
})

test('GET /token/validate rejects every attack with podinfo\'s 401 envelope (HTTP 200)', async (t) => {
  const server = await build(t)
  const good = issueToken(DEFAULT_JWT_SECRET, 'test').token
  const [h, p] = good.split('.') as [string, string, string]
  const claims = `{"name":"x","iss":"podinfo","exp":${inAMinute()}}`
  const cases: Array<[string, string | undefined, string | RegExp]> = [
    ['missing header', undefined, 'authorization bearer header required'],
    ['empty header', '', 'authorization bearer header required'],
    ['not bearer', `Basic ${good}`, 'authorization bearer header required'],
    ['token only', good, 'authorization bearer header required'],
    ['double space', `Bearer  ${good}`, 'authorization bearer header required'],
    ['alg none', `Bearer ${b64('{"alg":"none","typ":"JWT"}')}.${b64(claims)}.`, 'invalid signing method'],
    ['alg None', `Bearer ${b64('{"alg":"None"}')}.${b64(claims)}.`, 'signing method (alg) is unavailable.'],
    ['no alg', `Bearer ${b64('{"typ":"JWT"}')}.${b64(claims)}.`, 'signing method (alg) is unspecified.'],
    ['RS256 header', `Bearer ${b64('{"alg":"RS256","typ":"JWT"}')}.${p}.${good.split('.')[2] as string}`, 'invalid signing method'],
    ['wrong secret', `Bearer ${forge('{"alg":"HS256","typ":"JWT"}', claims, 'not the secret')}`, 'signature is invalid'],
    ['tampered payload', `Bearer ${h}.${b64(claims.replace('"x"', '"admin"'))}.${good.split('.')[2] as string}`, 'signature is invalid'],
    ['stripped signature', `Bearer ${h}.${p}.`, 'signature is invalid'],
    ['expired', `Bearer ${issueToken(DEFAULT_JWT_SECRET, 'x', new Date(Date.now() - 90_500)).token}`, /^token is expired by 3\d(\.\d+)?s$/],
    ['not yet valid', `Bearer ${forge('{"alg":"HS256"}', `{"iss":"podinfo","exp":${inAMinute()},"nbf":${inAMinute()}}`)}`, 'token is not valid yet'],
    ['issued in the future', `Bearer ${forge('{"alg":"HS256"}', `{"iss":"podinfo","exp":${inAMinute()},"iat":${inAMinute()}}`)}`, 'token used before issued'],
    ['two segments', 'Bearer a.b', 'token contains an invalid number of segments'],
    ['bad base64', 'Bearer !!.b.c', 'illegal base64 data at input byte 0'],
    ['other issuer', `Bearer ${forge('{"alg":"HS256"}', `{"name":"x","iss":"evil","exp":${inAMinute()}}`)}`, 'invalid issuer'],
    ['no exp', `Bearer ${forge('{"alg":"HS256"}', '{"name":"x","iss":"podinfo"}')}`, MISSING_EXP_MESSAGE]
  ]
  for (const [name, authorization, message] of cases) {
    const res = await server.inject({ url: '/token/validate', headers: authorization === undefined ? {} : { authorization } })
    assert.equal(res.statusCode, 200, name)
    assertJsonHeaders(res.headers)
    const body = res.json() as { code: number, message: string }
    assert.equal(body.code, 401, name)
    if (typeof message === 'string') assert.equal(res.body, envelope(401, message), name)
    else assert.match(body.message, message, name)
  }
})

test('GET /token/validate accepts HS384 and HS512 tokens signed with the secret', async (t) => {
  const server = await build(t)
  for (const [alg, hash] of [['HS384', 'sha384'], ['HS512', 'sha512']] as const) {
    const exp = inAMinute()
    const token = forge(`{"alg":"${alg}","typ":"JWT"}`, `{"name":"${alg}","iss":"podinfo","exp":${exp}}`, DEFAULT_JWT_SECRET, hash)
    const res = await server.inject({ url: '/token/validate', headers: { authorization: `Bearer ${token}` } })
    assert.equal(res.body, `{\n  "token_name": "${alg}",\n  "expires_at": "${rfc3339(new Date(exp * 1000))}"\n}`)
  }
})

test('/token routing: validate is GET only, /token is POST only, no trailing slash', async (t) => {
  const server = await build(t)
  for (const [method, url, status] of [['POST', '/token/validate', 405], ['GET', '/token', 405], ['POST', '/token/', 404], ['HEAD', '/token/validate', 405]] as const) {
    const res = await server.inject({ method, url })
    assert.equal(res.statusCode, status, `${method} ${url}`)
    if (status === 405) assert.equal(res.body, '')
  }
})

test('@fastify/jwt is registered with the same secret, HMAC only, exp and iss required', async (t) => {
  const server = await build(t)
  const issued = issueToken(DEFAULT_JWT_SECRET, 'test').token
  assert.equal((server.jwt.verify(issued) as { name: string }).name, 'test')
  const claims = `{"name":"x","iss":"podinfo","exp":${inAMinute()}}`
  assert.throws(() => server.jwt.verify(`${b64('{"alg":"none"}')}.${b64(claims)}.`))
  assert.throws(() => server.jwt.verify(forge('{"alg":"HS256"}', '{"name":"x","iss":"podinfo"}')))
  assert.throws(() => server.jwt.verify(forge('{"alg":"HS256"}', `{"name":"x","iss":"evil","exp":${inAMinute()}}`)))
  assert.throws(() => server.jwt.verify(forge('{"alg":"HS256"}', claims, 'other secret')))
})

test('the secret comes from PODINFO_JWT_SECRET', async (t) => {
  const server = await build(t, { PODINFO_JWT_SECRET: 's3cr3t-from-env' })
  const { token } = (await server.inject({ method: 'POST', url: '/token', payload: 'env' })).json() as { token: string }
  assert.equal(parseToken('s3cr3t-from-env', token).ok, true)
  assert.deepEqual(parseToken(DEFAULT_JWT_SECRET, token), { ok: false, message: 'signature is invalid' })
  const forged = issueToken(DEFAULT_JWT_SECRET, 'x').token
  const res = await server.inject({ url: '/token/validate', headers: { authorization: `Bearer ${forged}` } })
  assert.equal(res.body, envelope(401, 'signature is invalid'))
})

test('the secret comes from the config file, and never shows in /configs, /env or the logs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-jwt-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'config.yaml'), 'jwt-secret: file-s3cr3t-value\n')
  const lines: string[] = []
  const server = await buildLogged(t, lines, {}, ['--config-path', dir, '--level', 'debug'])
  const { token } = (await server.inject({ method: 'POST', url: '/token', payload: 'file' })).json() as { token: string }
  assert.equal(parseToken('file-s3cr3t-value', token).ok, true)
  const configs = await server.inject('/configs')
  assert.equal(configs.statusCode, 200)
  assert.equal(configs.body, '{\n  "config.yaml": "jwt-secret: [redacted]\\n"\n}')
  assert.doesNotMatch((await server.inject('/env')).body, /file-s3cr3t-value/)
  await server.close()
  assert.ok(lines.length > 0)
  assert.doesNotMatch(lines.join('\n'), /file-s3cr3t-value/)
  assert.doesNotMatch(lines.join('\n'), /public default/)
})

test('startup warns while podinfo\'s public default secret is in use, without printing it', async (t) => {
  const lines: string[] = []
  const server = await buildLogged(t, lines, {})
  await server.close()
  const warning = lines.map((l) => JSON.parse(l) as { level: number, msg: string }).find((l) => l.msg.includes('public default'))
  assert.ok(warning)
  assert.equal(warning.level, 40)
  assert.doesNotMatch(lines.join('\n'), new RegExp(DEFAULT_JWT_SECRET))
})

/** Like test/helper.ts's build, with the logs collected as JSON lines. */
async function buildLogged (t: import('node:test').TestContext, lines: string[], env: Record<string, string>, argv: string[] = []): Promise<import('fastify').FastifyInstance> {
  const config = loadConfig(env, argv)
  const mux = new MuxRules()
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done() } })
  const server = Fastify({ ...fastifyOptions(config, mux), logger: { level: 'debug', stream } })
  await server.register(fp(app), { config, mux, env })
  await server.ready()
  t.after(() => server.close())
  return server
}
