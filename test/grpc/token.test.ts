import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { promisify } from 'node:util'
import { ClientError, Metadata, Status } from 'nice-grpc'
import { TokenServiceDefinition } from '../../grpc/gen/token/token.js'
import { goTimeString } from '../../grpc/token.js'
import { MISSING_EXP_MESSAGE, issueToken } from '../../lib/jwt.js'
import { startGrpc } from './helper.js'

const DEFAULT_SECRET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'

function b64 (json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url')
}

/** A JWT with any header and payload, HMAC-signed with `secret` (`hash` picks HS256/384/512). */
function sign (header: string, payload: string, secret: string, hash = 'sha256'): string {
  const input = b64(header) + '.' + b64(payload)
  return input + '.' + createHmac(hash, secret).update(input).digest('base64url')
}

function bearer (token: string): { metadata: Metadata } {
  return { metadata: new Metadata({ authorization: 'Bearer ' + token }) }
}

async function grpcError (promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ClientError) return err
    throw err
  }
  assert.fail('the call succeeded')
}

const future = (): number => Math.floor(Date.now() / 1000) + 600

test('TokenGenerate issues podinfo\'s anonymous HS256 token, valid for 60 s', async (t) => {
  const { client } = await startGrpc(t)
  const before = Math.floor(Date.now() / 1000)
  const reply = await client(TokenServiceDefinition).tokenGenerate({})
  const after = Math.floor(Date.now() / 1000)
  const [header, payload, signature] = reply.token.split('.') as [string, string, string]
  assert.equal(header, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number }
  assert.ok(claims.exp >= before + 60 && claims.exp <= after + 60)
  assert.equal(Buffer.from(payload, 'base64url').toString('utf8'), `{"name":"anonymous","iss":"podinfo","exp":${claims.exp}}`)
  assert.equal(signature, createHmac('sha256', DEFAULT_SECRET).update(header + '.' + payload).digest('base64url'))
  assert.equal(reply.expiresAt, goTimeString(new Date(claims.exp * 1000)))
  assert.match(reply.expiresAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+$/)
  assert.equal(reply.message, 'Token generated successfully')
})

test('TokenGenerate signs with PODINFO_JWT_SECRET', async (t) => {
  const { client } = await startGrpc(t, { env: { PODINFO_JWT_SECRET: 's3cr3t' } })
  const { token } = await client(TokenServiceDefinition).tokenGenerate({})
  const [header, payload, signature] = token.split('.') as [string, string, string]
  assert.equal(signature, createHmac('sha256', 's3cr3t').update(header + '.' + payload).digest('base64url'))
})

test('TokenValidate accepts a token it issued, with or without the Bearer prefix', async (t) => {
  const { client } = await startGrpc(t)
  const tokens = client(TokenServiceDefinition)
  const { token } = await tokens.tokenGenerate({})
  const exp = (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as { exp: number }).exp
  const expected = { token: 'anonymous', expiresAt: goTimeString(new Date(exp * 1000)), message: '' }
  assert.deepEqual(await tokens.tokenValidate({}, bearer(token)), expected)
  assert.deepEqual(await tokens.tokenValidate({}, { metadata: new Metadata({ authorization: token }) }), expected)
  assert.deepEqual(await tokens.tokenValidate({}, { metadata: new Metadata({ authorization: 'Bearer   ' + token }) }), expected)
  assert.deepEqual(await tokens.tokenValidate({}, { metadata: new Metadata({ authorization: 'Bearer' + token }) }), expected)
  const named = issueToken(DEFAULT_SECRET, 'alice <admin>').token
  assert.equal((await tokens.tokenValidate({}, bearer(named))).token, 'alice <admin>')
  const hs512 = sign('{"alg":"HS512","typ":"JWT"}', `{"name":"big","iss":"podinfo","exp":${future()}}`, DEFAULT_SECRET, 'sha512')
  assert.equal((await tokens.tokenValidate({}, bearer(hs512))).token, 'big')
})

test('TokenValidate answers OK with only the error text for expired tokens and bad signatures', async (t) => {
  const { client } = await startGrpc(t)
  const tokens = client(TokenServiceDefinition)
  const expired = issueToken(DEFAULT_SECRET, 'old', new Date(Date.now() - 120_000)).token
  const reply = await tokens.tokenValidate({}, bearer(expired))
  assert.equal(reply.token, '')
  assert.equal(reply.expiresAt, '')
  assert.match(reply.message, /^token is expired by 1m\d+(\.\d+)?s$/)
  const otherSecret = issueToken('not-the-secret', 'mallory').token
  assert.deepEqual(await tokens.tokenValidate({}, bearer(otherSecret)), { token: '', expiresAt: '', message: 'signature is invalid' })
  // the signature is checked before the time claims
  const expiredOtherSecret = issueToken('not-the-secret', 'mallory', new Date(Date.now() - 120_000)).token
  assert.equal((await tokens.tokenValidate({}, bearer(expiredOtherSecret))).message, 'signature is invalid')
})

test('TokenValidate refuses unparsable tokens and other algorithms with UNAUTHENTICATED', async (t) => {
  const { client } = await startGrpc(t)
  const tokens = client(TokenServiceDefinition)
  const payload = `{"name":"eve","iss":"podinfo","exp":${future()}}`
  const cases = {
    garbage: 'Bearer abc',
    twoParts: 'Bearer a.b',
    algNone: 'Bearer ' + b64('{"alg":"none","typ":"JWT"}') + '.' + b64(payload) + '.',
    rs256: 'Bearer ' + sign('{"alg":"RS256","typ":"JWT"}', payload, DEFAULT_SECRET),
    unknownAlg: 'Bearer ' + sign('{"alg":"XX999","typ":"JWT"}', payload, DEFAULT_SECRET),
    lowercaseBearer: 'bearer ' + issueToken(DEFAULT_SECRET, 'x').token,
    bearerOnly: 'Bearer',
    empty: ''
  }
  for (const [name, authorization] of Object.entries(cases)) {
    const err = await grpcError(tokens.tokenValidate({}, { metadata: new Metadata({ authorization }) }))
    assert.equal(err.code, Status.UNAUTHENTICATED, name)
    assert.equal(err.details, 'Unable to parse token', name)
  }
})

test('TokenValidate without authorization metadata is UNAUTHENTICATED', async (t) => {
  const { client } = await startGrpc(t)
  const err = await grpcError(client(TokenServiceDefinition).tokenValidate({}))
  assert.equal(err.code, Status.UNAUTHENTICATED)
  assert.equal(err.details, 'Authorization token not found in metadata')
})

test('TokenValidate refuses a valid token without exp instead of crashing', async (t) => {
  const { client } = await startGrpc(t)
  const tokens = client(TokenServiceDefinition)
  const noExp = sign('{"alg":"HS256","typ":"JWT"}', '{"name":"forever","iss":"podinfo"}', DEFAULT_SECRET)
  const err = await grpcError(tokens.tokenValidate({}, bearer(noExp)))
  assert.equal(err.code, Status.UNAUTHENTICATED)
  assert.equal(err.details, MISSING_EXP_MESSAGE)
  // the server is still up
  assert.equal((await tokens.tokenGenerate({})).message, 'Token generated successfully')
})

test('TokenValidate answers an empty OK reply for another issuer (podinfo quirk)', async (t) => {
  const { client } = await startGrpc(t)
  const tokens = client(TokenServiceDefinition)
  const other = sign('{"alg":"HS256","typ":"JWT"}', `{"name":"x","iss":"someone-else","exp":${future()}}`, DEFAULT_SECRET)
  assert.deepEqual(await tokens.tokenValidate({}, bearer(other)), { token: '', expiresAt: '', message: '' })
  const noIssuer = sign('{"alg":"HS256","typ":"JWT"}', '{"name":"x"}', DEFAULT_SECRET)
  assert.deepEqual(await tokens.tokenValidate({}, bearer(noIssuer)), { token: '', expiresAt: '', message: '' })
})

test('expiresAt is Go\'s time.String() in the server\'s zone', async () => {
  const script = 'import { goTimeString } from "./grpc/token.ts"; process.stdout.write(goTimeString(new Date(1784715872000)))'
  const run = promisify(execFile)
  const at = async (tz: string): Promise<string> => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { PATH: process.env.PATH, TZ: tz } })
    return stdout
  }
  assert.equal(await at('UTC'), '2026-07-22 10:24:32 +0000 UTC')
  assert.equal(await at('America/New_York'), '2026-07-22 06:24:32 -0400 EDT')
  assert.equal(await at('Europe/Berlin'), '2026-07-22 12:24:32 +0200 CEST')
  assert.equal(await at('Asia/Kolkata'), '2026-07-22 15:54:32 +0530 IST')
  assert.equal(await at('America/Sao_Paulo'), '2026-07-22 07:24:32 -0300 -03')
})
