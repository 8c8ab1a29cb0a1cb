import fp from 'fastify-plugin'
// Types only: autoload imports every file in plugins/, and the SDK must not load without the flag.
import type { Telemetry } from '../lib/otel.js'

/** Registered by server.ts before the app, and only with `--otel-service-name` (spec §9.2). */
export const autoload = false

export interface OtelPluginOptions {
  telemetry: Telemetry
}

/**
 * Traces for the HTTP app through @fastify/otel: a server span per matched request, named
 * `METHOD /route/template`, with the incoming context extracted from the request headers,
 * and a child span named after podinfo's handler where podinfo has one (spec §9.2). The
 * error envelope marks the span as an error with its message. Exporters are flushed when
 * the app closes, so the spans of requests drained during shutdown are sent too.
 */
export default fp<OtelPluginOptions>(async function otel (app, { telemetry }) {
  app.addHook('onRoute', telemetry.onRoute)
  await app.register(telemetry.fastify.plugin())
  app.addHook('onClose', async () => { await telemetry.flush() })
}, { name: 'otel' })
