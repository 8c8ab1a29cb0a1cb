import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EnvelopeError } from '../../lib/errors.js'
import { atoi, atoiOrUndefined } from '../../lib/int64.js'

test('atoi parses digit strings up to int64 max, leading zeros included', () => {
  assert.equal(atoi('0'), 0)
  assert.equal(atoi('007'), 7)
  assert.equal(atoi('99999'), 99999)
  assert.equal(atoi('9223372036854775807'), Number(9223372036854775807n))
  assert.equal(atoiOrUndefined('42'), 42)
})

test('atoi overflow is the 400 envelope with Go\'s strconv message; atoiOrUndefined gives undefined', () => {
  for (const digits of ['9223372036854775808', '99999999999999999999', '00000000000000000000009223372036854775808']) {
    assert.throws(() => atoi(digits), (err: unknown) => {
      assert.ok(err instanceof EnvelopeError)
      assert.equal(err.envelopeCode, 400)
      assert.equal(err.httpStatus, 200)
      assert.equal(err.message, `strconv.Atoi: parsing "${digits}": value out of range`)
      return true
    })
    assert.equal(atoiOrUndefined(digits), undefined)
  }
})
