import { Type, type Static } from 'typebox'

/**
 * The effective configuration, after flags, PODINFO_* variables and the config file
 * have been merged (spec §2). Durations are milliseconds. Field names are the
 * camelCase form of podinfo's flag names.
 */
export const ConfigSchema = Type.Object({
  host: Type.String({ default: '' }),
  prefix: Type.String({ default: '/' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 9898 }),
  securePort: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  portMetrics: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  grpcPort: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  grpcServiceName: Type.String({ default: 'podinfo' }),
  level: Type.Enum(['debug', 'info', 'warn', 'error', 'fatal', 'panic'], { default: 'info' }),
  backendUrl: Type.Array(Type.String(), { default: [] }),
  httpClientTimeout: Type.Integer({ minimum: 0, default: 120_000 }),
  httpServerTimeout: Type.Integer({ minimum: 0, default: 30_000 }),
  serverShutdownTimeout: Type.Integer({ minimum: 0, default: 5_000 }),
  dataPath: Type.String({ default: '/data' }),
  configPath: Type.String({ default: '' }),
  certPath: Type.String({ default: '/data/cert' }),
  config: Type.String({ default: 'config.yaml' }),
  uiPath: Type.String({ default: './ui' }),
  uiLogo: Type.String({ default: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif' }),
  uiColor: Type.String({ default: '#34577c' }),
  uiMessage: Type.String({ default: 'greetings from podinfo v6.14.1' }),
  h2c: Type.Boolean({ default: false }),
  randomDelay: Type.Boolean({ default: false }),
  randomDelayUnit: Type.Enum(['s', 'ms'], { default: 's' }),
  randomDelayMin: Type.Integer({ default: 0 }),
  randomDelayMax: Type.Integer({ default: 5 }),
  randomError: Type.Boolean({ default: false }),
  unhealthy: Type.Boolean({ default: false }),
  unready: Type.Boolean({ default: false }),
  stressCpu: Type.Integer({ minimum: 0, default: 0 }),
  stressMemory: Type.Integer({ minimum: 0, default: 0 }),
  cacheServer: Type.String({ default: '' }),
  otelServiceName: Type.String({ default: '' }),
  jwtSecret: Type.String({ default: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' }),
  hostname: Type.String(),
  version: Type.String(),
  revision: Type.String()
})

export type Config = Static<typeof ConfigSchema>

/** podinfo's public default JWT secret: kept for compatibility, warned about at startup. */
export const DEFAULT_JWT_SECRET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'
export const VERSION = '6.14.1'
