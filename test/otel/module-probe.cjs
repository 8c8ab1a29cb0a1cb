// Preloaded into podinfo by the tests (NODE_OPTIONS=--require): reports every OpenTelemetry
// module the process loads, on stderr, so a test can tell that nothing is loaded without
// --otel-service-name.
'use strict'
const Module = require('node:module')
const load = Module._load
const seen = new Set()
Module._load = function probe (request, ...rest) {
  const exports = load.call(this, request, ...rest)
  const match = /(@opentelemetry\/[^/]+|@fastify\/otel)/.exec(String(request))
  if (match !== null && match[1] !== '@opentelemetry/api' && !seen.has(match[1])) {
    seen.add(match[1])
    process.stderr.write(`otel-module-loaded ${match[1]}\n`)
  }
  return exports
}
