import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatGoDuration, formatGoDurationNs, parseGoDuration, parseGoDurationNs, timeQuote } from '../../lib/duration.js'

test('parseGoDuration accepts Go duration syntax and returns milliseconds', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['300ms', 300],
    ['30s', 30_000],
    ['2m', 120_000],
    ['2m0s', 120_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['-1.5h', -5_400_000],
    ['+5s', 5000],
    ['.5s', 500],
    ['5.s', 5000],
    ['1h1h', 7_200_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
    ['1.5ms', 1.5],
    ['1m30.641880374s', 90_641.880374]
  ]
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text)
})

test('parseGoDurationNs is exact to the nanosecond, up to int64', () => {
  assert.equal(parseGoDurationNs('1ns'), 1n)
  assert.equal(parseGoDurationNs('1.000000001s'), 1_000_000_001n)
  assert.equal(parseGoDurationNs('9223372036854775807ns'), 9_223_372_036_854_775_807n)
  assert.equal(parseGoDurationNs('-9223372036854775808ns'), -9_223_372_036_854_775_808n)
  assert.equal(parseGoDurationNs('0.0000000001s'), 0n) // below a nanosecond: truncated, as in Go
  assert.equal(parseGoDurationNs('2562047h47m16.854775807s'), 9_223_372_036_854_775_807n)
})

test('parseGoDuration throws Go\'s messages', () => {
  const cases: Array<[string, string]> = [
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['abc', 'time: invalid duration "abc"'],
    ['.s', 'time: invalid duration ".s"'],
    ['s', 'time: invalid duration "s"'],
    ['10', 'time: missing unit in duration "10"'],
    ['1.5', 'time: missing unit in duration "1.5"'],
    ['30s5', 'time: missing unit in duration "30s5"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1e3s', 'time: unknown unit "e" in duration "1e3s"'],
    ['5 s', 'time: unknown unit " s" in duration "5 s"'],
    ['1S', 'time: unknown unit "S" in duration "1S"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
    ['1x"\\', 'time: unknown unit "x\\"\\\\" in duration "1x\\"\\\\"'],
    ['1é', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"']
  ]
  for (const [text, message] of cases) {
    assert.throws(() => parseGoDuration(text), (err: Error) => err.message === message, `${text} → ${message}`)
  }
})

test('timeQuote escapes like Go\'s time package', () => {
  assert.equal(timeQuote('a"b\\c'), '"a\\"b\\\\c"')
  assert.equal(timeQuote('µ\n'), '"\\xc2\\xb5\\x0a"')
})

test('formatGoDuration reproduces time.Duration.String()', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [120_000, '2m0s'],
    [30_000, '30s'],
    [5000, '5s'],
    [12_500, '12.5s'],
    [90_641.880374, '1m30.641880374s'],
    [1.5, '1.5ms'],
    [1, '1ms'],
    [0.5, '500µs'],
    [0.0015, '1.5µs'],
    [0.000001, '1ns'],
    [0.000999, '999ns'],
    [999.999999, '999.999999ms'],
    [1000, '1s'],
    [3_600_000, '1h0m0s'],
    [3_661_001, '1h1m1.001s'],
    [172_800_000, '48h0m0s'],
    [-1500, '-1.5s'],
    [-0.5, '-500µs']
  ]
  for (const [ms, text] of cases) assert.equal(formatGoDuration(ms), text, String(ms))
})

test('formatGoDurationNs covers the whole int64 range', () => {
  assert.equal(formatGoDurationNs(9_223_372_036_854_775_807n), '2562047h47m16.854775807s')
  assert.equal(formatGoDurationNs(-9_223_372_036_854_775_808n), '-2562047h47m16.854775808s')
  assert.equal(formatGoDurationNs(1_000_000_001n), '1.000000001s')
  assert.equal(formatGoDurationNs(42), '42ns')
})

test('parse and format round-trip', () => {
  for (const text of ['2m0s', '30s', '1.5ms', '500µs', '1h30m0s', '1m30.641880374s', '-3h0m0.5s', '7ns']) {
    assert.equal(formatGoDurationNs(parseGoDurationNs(text)), text)
  }
})
